package io.tpwallet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.testkit.TestKafka;
import io.tpwallet.testkit.TestPostgres;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wallets and KYC limits across real processes: account-service opens a wallet, ledger-service
 * opens its account under the wallet's id over Kafka and the wallet turns ACTIVE; routing-service
 * asks account-service, with the user's token, whether a payment from the wallet fits the user's
 * tier, refuses one over it with the figures, and refuses every payment once account-service is
 * killed (fail closed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WalletE2EIT {

  private static final Duration READY = Duration.ofMinutes(3);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final String run = "e2ew" + Long.toHexString(System.nanoTime() & 0xFFFFFF);
  private final HttpClient http = HttpClient.newHttpClient();
  private ServiceProcess ledger;
  private ServiceProcess account;
  private ServiceProcess routing;

  @BeforeAll
  void start() {
    ledger = service("ledger-service", "ledger", Map.of());
    account = service("account-service", "account", Map.of());
    account.start();
    ledger.start();
    account.awaitReady(READY);
    routing =
        service(
            "routing-service",
            "routing",
            Map.of("TPW_ACCOUNT_URL", account.url(), "TPW_ROUTING_LIMITS_URL", account.url()));
    routing.start();
    CompletableFuture.allOf(
            CompletableFuture.runAsync(() -> ledger.awaitReady(READY)),
            CompletableFuture.runAsync(() -> routing.awaitReady(READY)))
        .join();
  }

  @AfterAll
  void stop() {
    for (ServiceProcess s : new ServiceProcess[] {routing, account, ledger}) {
      if (s != null) {
        s.stop();
      }
    }
  }

  @Test
  void aWalletGetsItsLedgerAccountAndItsPaymentsAreLimitedByTheHoldersTier() throws Exception {
    String email = "w-" + UUID.randomUUID() + "@example.com";
    JsonNode customer =
        call(
            account,
            "POST",
            "/v1/accounts/customers",
            null,
            "{\"displayName\":\"Wendy\",\"email\":\""
                + email
                + "\",\"password\":\"correct horse battery\"}");
    String customerId = customer.get("id").asString();
    String token = login(email);

    JsonNode wallet =
        call(
            account,
            "POST",
            "/v1/accounts/customers/" + customerId + "/wallets",
            token,
            "{\"asset\":\"USD\"}");
    String walletId = wallet.get("id").asString();
    assertThat(wallet.get("status").asString()).isEqualTo("OPENING");
    Instant until = Instant.now().plusSeconds(60);
    while (!"ACTIVE".equals(wallet.get("status").asString()) && Instant.now().isBefore(until)) {
      Thread.sleep(200);
      wallet = call(account, "GET", "/v1/accounts/wallets/" + walletId, token, null);
    }
    assertThat(wallet.get("status").asString()).isEqualTo("ACTIVE");
    JsonNode ledgerAccount = call(ledger, "GET", "/v1/ledger/accounts/" + walletId, null, null);
    assertThat(ledgerAccount.get("id").asString()).isEqualTo(walletId);
    assertThat(ledgerAccount.get("asset").asString()).isEqualTo("USD");
    assertThat(ledgerAccount.get("ownerRef").asString()).isEqualTo("customer:" + customerId);
    assertThat(ledgerAccount.get("flags").get(0).asString())
        .isEqualTo("DEBITS_MUST_NOT_EXCEED_CREDITS");

    String payee = UUID.randomUUID().toString();
    var over = pay(token, walletId, payee, "10001"); // L0 allows 100.00 USD per payment
    assertThat(over.statusCode()).as(over.body()).isEqualTo(422);
    JsonNode problem = JSON.readTree(over.body());
    assertThat(problem.get("type").asString())
        .isEqualTo("https://tpwallet.io/problems/kyc-limit-exceeded");
    assertThat(problem.get("limit").asString()).isEqualTo("per-transaction");
    assertThat(problem.get("limitMinor").asString()).isEqualTo("10000");
    assertThat(problem.get("amountMinor").asString()).isEqualTo("10001");
    assertThat(pay(token, walletId, payee, "2500").statusCode()).isEqualTo(202);
    var limits =
        call(account, "GET", "/v1/accounts/customers/" + customerId + "/limits", token, null);
    assertThat(limits.get("limits").get("USD").get("spentToday").asString()).isEqualTo("2500");

    // Another user's token cannot pay from this wallet.
    String otherEmail = "x-" + UUID.randomUUID() + "@example.com";
    call(
        account,
        "POST",
        "/v1/accounts/customers",
        null,
        "{\"displayName\":\"Xavier\",\"email\":\""
            + otherEmail
            + "\",\"password\":\"correct horse battery\"}");
    assertThat(pay(login(otherEmail), walletId, payee, "100").statusCode()).isEqualTo(404);

    // account-service dies: no payment is accepted without its check.
    account.kill();
    var closed = pay(token, walletId, payee, "100");
    assertThat(closed.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(closed.body()).get("type").asString())
        .isEqualTo("https://tpwallet.io/problems/limit-check-unavailable");
    assertThat(paymentsFrom(walletId)).isEqualTo(1);
  }

  // ---------------------------------------------------------------- helpers

  private String login(String email) throws Exception {
    var generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    var key = (ECPublicKey) generator.generateKeyPair().getPublic();
    String jwk =
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\""
            + coordinate(key.getW().getAffineX())
            + "\",\"y\":\""
            + coordinate(key.getW().getAffineY())
            + "\"}";
    JsonNode session =
        call(
            account,
            "POST",
            "/v1/accounts/sessions",
            null,
            "{\"email\":\""
                + email
                + "\",\"password\":\"correct horse battery\","
                + "\"deviceName\":\"e2e\",\"devicePublicJwk\":"
                + jwk
                + "}");
    return session.get("accessToken").asString();
  }

  /** A P-256 coordinate as JWK wants it: 32 bytes, big-endian, base64url without padding. */
  private static String coordinate(BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] fixed = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, fixed, 32 - n, n);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
  }

  private HttpResponse<String> pay(String token, String payer, String payee, String amount)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(routing.url() + "/v1/payments"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .header("Idempotency-Key", UUID.randomUUID().toString())
            .timeout(Duration.ofSeconds(15))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"payerAccountId\":\"%s\",\"payeeAccountId\":\"%s\",\"amount\":\"%s\",\"asset\":\"USD\"}"
                        .formatted(payer, payee, amount)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode call(ServiceProcess to, String method, String path, String token, String body)
      throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(to.url() + path))
            .timeout(Duration.ofSeconds(15))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as(method + " " + path + ": " + response.body())
        .isBetween(200, 299);
    return JSON.readTree(response.body());
  }

  private long paymentsFrom(String payer) throws Exception {
    var server = TestPostgres.server();
    try (var c =
            java.sql.DriverManager.getConnection(
                server.urlOf(run + "_routing"), server.user(), server.password());
        var st = c.prepareStatement("select count(*) from payment where payer_account_id = ?")) {
      st.setObject(1, UUID.fromString(payer));
      var rs = st.executeQuery();
      rs.next();
      return rs.getLong(1);
    }
  }

  private ServiceProcess service(String name, String database, Map<String, String> extra) {
    var server = TestPostgres.server();
    Map<String, String> env = new HashMap<>(extra);
    env.put("TPW_PG_URL", server.jdbcUrl());
    env.put("TPW_PG_USER", server.user());
    env.put("TPW_PG_PASSWORD", server.password());
    env.put("TPW_KAFKA_BOOTSTRAP", TestKafka.bootstrapServers());
    env.put("TPW_POSTGRES_DATABASE", run + "_" + database);
    return new ServiceProcess(name, env);
  }
}
