package io.tpwallet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.testkit.TestKafka;
import io.tpwallet.testkit.TestPostgres;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The thin payment across every layer, as users meet it: the gateway, account-service,
 * routing-service, risk-service and ledger-service each a real process, over a real Kafka broker
 * and PostgreSQL. Authentication and rate limits are on (their defaults): a customer signs up and
 * logs in, operations gets a client-credentials token, both at account-service through the gateway,
 * and routing-service checks the tokens again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThinPaymentIT {

  private static final Duration READY = Duration.ofMinutes(3);
  private static final Duration FINAL = Duration.ofSeconds(90);

  private final String run = "e2e" + Long.toHexString(System.nanoTime() & 0xFFFFFF);
  private final String opsSecret = UUID.randomUUID().toString();
  private ServiceProcess accounts;
  private ServiceProcess ledger;
  private ServiceProcess routing;
  private ServiceProcess risk;
  private ServiceProcess gateway;
  private Api api;
  private Api ops;
  private Api mallory;
  private String issuance;

  @BeforeAll
  void startThePlatform() {
    accounts =
        service(
            "account-service",
            "account",
            Map.of("TPW_OPS_CLIENT_ID", "e2e-ops", "TPW_OPS_CLIENT_SECRET", opsSecret));
    // Every service checks the tokens of the issuer account-service names itself by.
    Map<String, String> issuer =
        Map.of("TPW_ACCOUNT_URL", accounts.url(), "TPW_TOKEN_ISSUER", accounts.url());
    accounts.with("TPW_TOKEN_ISSUER", accounts.url());
    ledger = service("ledger-service", "ledger", Map.of());
    routing = service("routing-service", "routing", issuer);
    risk = service("risk-service", "risk", Map.of());
    Map<String, String> routes = new HashMap<>(issuer);
    routes.put("TPW_ROUTING_URL", routing.url());
    routes.put("TPW_LEDGER_URL", ledger.url());
    gateway = service("gateway-service", null, routes);
    List<ServiceProcess> all = List.of(accounts, ledger, routing, risk, gateway);
    all.forEach(ServiceProcess::start);
    CompletableFuture.allOf(
            all.stream()
                .map(s -> CompletableFuture.runAsync(() -> s.awaitReady(READY)))
                .toArray(CompletableFuture[]::new))
        .join();
    Api anonymous = new Api(gateway.url());
    ops = anonymous.as(Tokens.client(anonymous, "e2e-ops", opsSecret));
    api = anonymous.as(Tokens.customer(anonymous, run + "-alice@e2e.tpwallet.io", new String[1]));
    mallory =
        anonymous.as(Tokens.customer(anonymous, run + "-mallory@e2e.tpwallet.io", new String[1]));
    issuance = ops.createAccount("bank", true);
  }

  @AfterAll
  void stopThePlatform() {
    for (ServiceProcess s : new ServiceProcess[] {gateway, routing, risk, ledger, accounts}) {
      if (s != null) {
        s.stop();
      }
    }
  }

  @Test
  void paymentsSettleOrAreDeclinedOrFailAndTheLedgerAddsUp() {
    String alice = ops.createAccount("alice", false);
    String bob = ops.createAccount("bob", false);
    ops.fund(issuance, alice, "10000");

    String key = UUID.randomUUID().toString();
    var first = api.post("/v1/payments", key, Api.payment(alice, bob, "2500"));
    assertThat(first.status()).isEqualTo(202);
    String settled = first.text("id");
    String declined = api.pay(alice, bob, "200000"); // above risk's 1,000.00 USD limit
    // Payments of one payer are not ordered among themselves: the 9,000 goes only after the 2,500
    // settled, or its hold could come first and leave the 2,500 short (seen under CI load).
    assertThat(api.awaitFinal(settled, FINAL).get("status").asString()).isEqualTo("SETTLED");
    String failed = api.pay(alice, bob, "9000"); // more than alice has left

    var decline = api.awaitFinal(declined, FINAL);
    assertThat(decline.get("status").asString()).isEqualTo("DECLINED");
    assertThat(decline.get("reason").asString()).contains("exceeds");
    var failure = api.awaitFinal(failed, FINAL);
    assertThat(failure.get("status").asString()).isEqualTo("FAILED");
    assertThat(failure.get("reason").asString()).contains("INSUFFICIENT_FUNDS");

    // The same key and body replays the first answer; another body with it is refused.
    var replay = api.post("/v1/payments", key, Api.payment(alice, bob, "2500"));
    assertThat(replay.status()).isEqualTo(202);
    assertThat(replay.text("id")).isEqualTo(settled);
    assertThat(api.post("/v1/payments", key, Api.payment(alice, bob, "2501")).status())
        .isEqualTo(422);

    assertThat(ops.balance(alice)).isEqualTo("7500");
    assertThat(ops.balance(bob)).isEqualTo("2500");
    assertThat(paymentsBy(alice)).isEqualTo(3);

    // Another customer gets 404 for alice's payment, as for an unknown id; no token is 401.
    assertThat(mallory.get("/v1/payments/" + settled).status()).isEqualTo(404);
    assertThat(new Api(gateway.url()).get("/v1/payments/" + settled).status()).isEqualTo(401);
  }

  @Test
  void everyServicesOpenApiDocumentIsServedThroughTheGateway() {
    Api anonymous = new Api(gateway.url());
    assertThat(anonymous.get("/v3/api-docs").body()).contains("/v3/api-docs/payments");
    Map<String, String> expected =
        Map.of(
            "payments", "/v1/payments/{id}",
            "ledger", "/v1/ledger/transfers",
            "accounts", "/v1/accounts/sessions");
    expected.forEach(
        (name, path) -> {
          var document = anonymous.get("/v3/api-docs/" + name);
          assertThat(document.status()).as(name).isEqualTo(200);
          assertThat(document.json().get("paths").has(path)).as(name + " " + path).isTrue();
        });
  }

  @Test
  void badInputIsAProblemDetailAndChangesNothing() {
    String alice = ops.createAccount("alice", false);
    String bob = ops.createAccount("bob", false);
    ops.fund(issuance, alice, "5000");
    Map<String, Integer> cases = new HashMap<>();
    cases.put("{\"payeeAccountId\":\"" + bob + "\",\"asset\":\"USD\"}", 400);
    cases.put(Api.payment(alice, bob, "-100"), 400);
    cases.put(Api.payment(alice, bob, "ten"), 400);
    cases.put(Api.payment(alice, bob, "1.5"), 400);
    cases.put(Api.payment(alice, bob, "100").replace("USD", "DOGE"), 422);
    cases.put("{not json", 400);
    cases.put(Api.payment(alice, bob, "100").replace("e2e", "x".repeat(70 * 1024)), 413); // 70 KiB
    cases.forEach(
        (body, status) -> {
          var reply = api.post("/v1/payments", UUID.randomUUID().toString(), body);
          assertThat(reply.status())
              .as(body.substring(0, Math.min(80, body.length())))
              .isEqualTo(status);
          assertThat(reply.raw().headers().firstValue("Content-Type").orElse(""))
              .startsWith("application/problem+json");
          assertThat(reply.json().get("type").asString())
              .startsWith("https://tpwallet.io/problems/");
        });
    var noKey = api.post("/v1/payments", null, Api.payment(alice, bob, "100"));
    assertThat(noKey.status()).isEqualTo(400);
    assertThat(noKey.text("type")).endsWith("/idempotency-key-missing");

    assertThat(paymentsBy(alice)).isZero();
    assertThat(ops.balance(alice)).isEqualTo("5000");
    assertThat(ops.balance(bob)).isEqualTo("0");
  }

  @Test
  void killingAnyServiceLosesNoPaymentInFlight() {
    String alice = ops.createAccount("alice", false);
    String bob = ops.createAccount("bob", false);
    ops.fund(issuance, alice, "100000");
    List<String> payments = new ArrayList<>();

    // Risk dies: payments wait as PENDING in Kafka and are decided after the restart.
    risk.kill();
    for (int i = 0; i < 3; i++) {
      payments.add(api.pay(alice, bob, "100"));
    }
    risk.start().awaitReady(READY);

    // The ledger dies: approved transfers wait on their topic and post once after the restart.
    ledger.kill();
    for (int i = 0; i < 3; i++) {
      payments.add(api.pay(alice, bob, "100"));
    }
    ServiceProcess.sleep(2_000); // let risk approve them while the ledger is down
    ledger.start().awaitReady(READY);

    // Routing dies right after accepting: its outbox still holds the events it had not sent.
    for (int i = 0; i < 3; i++) {
      payments.add(api.pay(alice, bob, "100"));
    }
    routing.kill();
    routing.start().awaitReady(READY);

    // The gateway holds nothing: after a restart it simply answers again.
    gateway.kill();
    gateway.start().awaitReady(READY);

    for (String id : payments) {
      assertThat(api.awaitFinal(id, FINAL).get("status").asString()).as(id).isEqualTo("SETTLED");
    }
    // Each payment moved its money exactly once.
    assertThat(ops.balance(alice)).isEqualTo(Integer.toString(100000 - 9 * 100));
    assertThat(ops.balance(bob)).isEqualTo(Integer.toString(9 * 100));
  }

  private ServiceProcess service(String name, String database, Map<String, String> extra) {
    var server = TestPostgres.server();
    Map<String, String> env = new HashMap<>(extra);
    env.put("TPW_PG_URL", server.jdbcUrl());
    env.put("TPW_PG_USER", server.user());
    env.put("TPW_PG_PASSWORD", server.password());
    env.put("TPW_KAFKA_BOOTSTRAP", TestKafka.bootstrapServers());
    if (database != null) {
      env.put("TPW_POSTGRES_DATABASE", run + "_" + database);
    }
    return new ServiceProcess(name, env);
  }

  private long paymentsBy(String payer) {
    var server = TestPostgres.server();
    try (var c =
            DriverManager.getConnection(
                server.urlOf(run + "_routing"), server.user(), server.password());
        var st = c.prepareStatement("select count(*) from payment where payer_account_id = ?")) {
      st.setObject(1, UUID.fromString(payer));
      var rs = st.executeQuery();
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
