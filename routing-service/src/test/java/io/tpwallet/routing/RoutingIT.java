package io.tpwallet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.PlainJWT;
import io.cloudevents.CloudEvent;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.PaymentCreated;
import io.tpwallet.common.event.PaymentFinished;
import io.tpwallet.common.event.RiskDecided;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferPosted;
import io.tpwallet.common.event.TransferRejected;
import io.tpwallet.common.event.TransferRequested;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.KafkaProbe;
import io.tpwallet.testkit.OperationsChecks;
import io.tpwallet.testkit.TestAccessTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RoutingIT {

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "routing");
    TestTokens.register(registry);
  }

  static KafkaProbe kafka;

  @BeforeAll
  static void probe() {
    kafka =
        new KafkaProbe(
            Topics.PAYMENT_CREATED,
            Topics.LEDGER_TRANSFER_REQUESTED,
            Topics.RISK_DECIDED,
            Topics.PAYMENT_SETTLED,
            Topics.PAYMENT_FAILED);
  }

  @AfterAll
  static void closeProbe() {
    kafka.close();
  }

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired Envelope envelope;
  @Autowired JsonMapper json;

  final HttpClient http = HttpClient.newHttpClient();
  final UUID alice = UUID.randomUUID();
  final UUID bob = UUID.randomUUID();
  // The account holder making this test's payments (a customer of account-service).
  final UUID holder = UUID.randomUUID();
  final String holderToken = TestTokens.token(holder, "payments:read payments:write");

  @Test
  void aPaymentIsAcceptedAndAnnounced() throws Exception {
    var response = post(UUID.randomUUID().toString(), body(alice, bob, "\"2500\"", "USD"));
    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode payment = json.readTree(response.body());
    assertThat(payment.get("status").asString()).isEqualTo("PENDING");
    assertThat(payment.get("amount").asString()).isEqualTo("2500");
    String id = payment.get("id").asString();
    assertThat(response.headers().firstValue("Location")).contains("/v1/payments/" + id);

    var record = kafka.await(r -> id.equals(r.key()), Duration.ofSeconds(20));
    assertThat(record.topic()).isEqualTo(Topics.PAYMENT_CREATED);
    CloudEvent event = Envelope.deserialize(record.value());
    assertThat(event.getType()).isEqualTo("tpw.payment.created");
    assertThat(envelope.data(event, PaymentCreated.class))
        .isEqualTo(new PaymentCreated(UUID.fromString(id), alice, bob, "2500", "USD", "it"));
  }

  @Test
  void theIdempotencyKeyReplaysTheSameRequestAndRefusesAnotherOne() throws Exception {
    String key = "order-" + UUID.randomUUID();
    var first = post(key, body(alice, bob, "\"700\"", "EUR"));
    // The same request spelled differently (a number instead of a string) is the same request.
    var again = post(key, body(alice, bob, "700", "eur"));
    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(again.body()).isEqualTo(first.body());
    assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
    assertThat(paymentsOf(alice)).isEqualTo(1);

    var other = post(key, body(alice, bob, "\"701\"", "EUR"));
    assertThat(other.statusCode()).isEqualTo(422);
    assertThat(problemType(other)).endsWith("/idempotency-key-reused");
    assertThat(paymentsOf(alice)).isEqualTo(1);
  }

  @Test
  void badInputIsAProblemDetailAndCreatesNothing() throws Exception {
    record Case(String body, int status, String type) {}
    String a = alice.toString();
    String b = bob.toString();
    List<Case> cases =
        List.of(
            new Case("{}", 400, "/validation"),
            new Case(json(a, b, "\"-5\"", "USD"), 400, "/validation"),
            new Case(json(a, b, "\"0\"", "USD"), 400, "/validation"),
            new Case(json(a, b, "\"12.50\"", "USD"), 400, "/validation"),
            new Case(json(a, b, "\"abc\"", "USD"), 400, "/validation"),
            new Case(json(a, b, "1e3", "USD"), 400, "/validation"),
            new Case(json(a, b, "\"" + "9".repeat(39) + "\"", "USD"), 400, "/validation"),
            new Case(json("not-a-uuid", b, "\"5\"", "USD"), 400, "/validation"),
            new Case(json(a, a, "\"5\"", "USD"), 400, "/validation"),
            new Case(json(a, b, "\"5\"", "XYZ"), 422, "/unknown-asset"),
            new Case("{\"payerAccountId\":", 400, "/malformed-request"),
            new Case("[1,2]", 400, "/malformed-request"),
            new Case(
                json(a, b, "\"5\"", "USD").replace("}", ",\"pad\":\"" + "x".repeat(70_000) + "\"}"),
                413,
                "/payload-too-large"));
    for (Case c : cases) {
      var response = post(UUID.randomUUID().toString(), c.body());
      assertThat(response.statusCode()).as(c.body()).isEqualTo(c.status());
      assertThat(response.headers().firstValue("Content-Type"))
          .as(c.body())
          .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
      assertThat(problemType(response)).as(c.body()).endsWith(c.type());
    }
    var noKey = send(request("/v1/payments").POST(bodyOf(body(alice, bob, "\"5\"", "USD"))));
    assertThat(noKey.statusCode()).isEqualTo(400);
    assertThat(problemType(noKey)).endsWith("/idempotency-key-missing");
    var unknown = send(request("/v1/payments/" + UUID.randomUUID()).GET());
    assertThat(unknown.statusCode()).isEqualTo(404);
    var notAnId = send(request("/v1/payments/xyz").GET());
    assertThat(notAnId.statusCode()).isEqualTo(400);
    assertThat(paymentsOf(alice)).isZero();
  }

  @Test
  void riskApprovalRequestsTheTransferOnceAndTheLedgerSettlesIt() throws Exception {
    String id = createPayment("4200");
    CloudEvent approved =
        envelope.wrap(
            "tpw.risk.decided",
            id,
            new RiskDecided(UUID.fromString(id), RiskDecided.Decision.APPROVE, List.of()));
    kafka.send(Topics.RISK_DECIDED, id, Envelope.serialize(approved));
    kafka.send(Topics.RISK_DECIDED, id, Envelope.serialize(approved)); // redelivered

    var requested =
        kafka.await(
            r -> r.topic().equals(Topics.LEDGER_TRANSFER_REQUESTED) && id.equals(r.key()),
            Duration.ofSeconds(20));
    var command = envelope.data(Envelope.deserialize(requested.value()), TransferRequested.class);
    assertThat(command)
        .isEqualTo(
            new TransferRequested(UUID.fromString(id), alice, bob, "4200", "USD", "payment:" + id));
    awaitStatus(id, "APPROVED");

    kafka.send(
        Topics.LEDGER_TRANSFER_POSTED,
        id,
        Envelope.serialize(
            envelope.wrap(
                "tpw.ledger.transfer-posted",
                id,
                new TransferPosted(
                    UUID.fromString(id),
                    alice,
                    bob,
                    "4200",
                    "USD",
                    "payment:" + id,
                    Instant.now()))));
    JsonNode settled = awaitStatus(id, "SETTLED");
    assertThat(settled.get("history").findValuesAsString("status"))
        .containsExactly("PENDING", "APPROVED", "SETTLED");
    var announced =
        kafka.await(
            r -> r.topic().equals(Topics.PAYMENT_SETTLED) && id.equals(r.key()),
            Duration.ofSeconds(20));
    PaymentFinished finished =
        envelope.data(Envelope.deserialize(announced.value()), PaymentFinished.class);
    assertThat(finished.status()).isEqualTo("SETTLED");
    assertThat(finished.amount()).isEqualTo("4200");
    assertThat(finished.payeeAccountId()).isEqualTo(bob);
    assertThat(
            kafka.all(
                r -> r.topic().equals(Topics.LEDGER_TRANSFER_REQUESTED) && id.equals(r.key()),
                Duration.ofSeconds(1)))
        .hasSize(1);
  }

  @Test
  void isLiveReadyAndScrapeable() {
    OperationsChecks.assertOperable(port, "routing-service");
  }

  @Test
  void riskDeclineAndLedgerRefusalEndThePaymentWithTheirReason() throws Exception {
    String declined = createPayment("999999");
    kafka.send(
        Topics.RISK_DECIDED,
        declined,
        Envelope.serialize(
            envelope.wrap(
                "tpw.risk.decided",
                declined,
                new RiskDecided(
                    UUID.fromString(declined),
                    RiskDecided.Decision.DECLINE,
                    List.of("amount exceeds the limit")))));
    assertThat(awaitStatus(declined, "DECLINED").get("reason").asString())
        .isEqualTo("amount exceeds the limit");

    String refused = createPayment("300");
    kafka.send(
        Topics.RISK_DECIDED,
        refused,
        Envelope.serialize(
            envelope.wrap(
                "tpw.risk.decided",
                refused,
                new RiskDecided(
                    UUID.fromString(refused), RiskDecided.Decision.APPROVE, List.of()))));
    awaitStatus(refused, "APPROVED");
    kafka.send(
        Topics.LEDGER_TRANSFER_REJECTED,
        refused,
        Envelope.serialize(
            envelope.wrap(
                "tpw.ledger.transfer-rejected",
                refused,
                new TransferRejected(
                    UUID.fromString(refused),
                    "payment:" + refused,
                    "INSUFFICIENT_FUNDS",
                    "balance too low"))));
    assertThat(awaitStatus(refused, "FAILED").get("reason").asString())
        .startsWith("INSUFFICIENT_FUNDS");
    var failure =
        kafka.await(
            r -> r.topic().equals(Topics.PAYMENT_FAILED) && refused.equals(r.key()),
            Duration.ofSeconds(20));
    assertThat(envelope.data(Envelope.deserialize(failure.value()), PaymentFinished.class).reason())
        .startsWith("INSUFFICIENT_FUNDS");
  }

  @Test
  void forgedOrForeignTokensAre401AndWriteNothing() throws Exception {
    String body = body(alice, bob, "\"100\"", "USD");
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("no token", null);
    refused.put("not a JWT", "abc.def.ghi");
    refused.put(
        "alg none", new PlainJWT(TestTokens.claims(holder, "payments:write", c -> {})).serialize());
    refused.put(
        "another key under the known kid",
        TestAccessTokens.sign(
            TestAccessTokens.generate(TestAccessTokens.KEY.getKeyID()),
            "at+jwt",
            TestTokens.claims(holder, "payments:write", c -> {})));
    refused.put(
        "wrong issuer",
        TestTokens.token(holder, "payments:write", c -> c.issuer("https://evil.example")));
    refused.put(
        "wrong audience",
        TestTokens.token(holder, "payments:write", c -> c.audience("another-api")));
    refused.put(
        "typ JWT",
        TestAccessTokens.sign(
            TestAccessTokens.KEY, "JWT", TestTokens.claims(holder, "payments:write", c -> {})));
    refused.put(
        "expired beyond the leeway",
        TestTokens.token(
            holder,
            "payments:write",
            c ->
                c.issueTime(Date.from(Instant.now().minusSeconds(600)))
                    .notBeforeTime(Date.from(Instant.now().minusSeconds(600)))
                    .expirationTime(Date.from(Instant.now().minusSeconds(90)))));
    for (var e : refused.entrySet()) {
      var response =
          send(
              request("/v1/payments", e.getValue())
                  .header("Idempotency-Key", UUID.randomUUID().toString())
                  .POST(bodyOf(body)));
      assertThat(response.statusCode()).as(e.getKey()).isEqualTo(401);
      assertThat(response.headers().firstValue("Content-Type"))
          .as(e.getKey())
          .hasValue("application/problem+json");
      assertThat(problemType(response)).as(e.getKey()).endsWith("/unauthorized");
    }
    var readOnly =
        send(
            request("/v1/payments", TestTokens.token(holder, "payments:read"))
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(bodyOf(body)));
    assertThat(readOnly.statusCode()).isEqualTo(403);
    assertThat(problemType(readOnly)).endsWith("/forbidden");
    assertThat(paymentsOf(alice)).isZero();
  }

  @Test
  void anotherHoldersPaymentIs404AsIfUnknownAndKeysDoNotCrossHolders() throws Exception {
    String id = createPayment("300");
    UUID mallory = UUID.randomUUID();
    String malloryToken = TestTokens.token(mallory, "payments:read payments:write");

    var own = send(request("/v1/payments/" + id).GET());
    var foreign = send(request("/v1/payments/" + id, malloryToken).GET());
    var unknown = send(request("/v1/payments/" + UUID.randomUUID(), malloryToken).GET());
    var operations =
        send(
            request("/v1/payments/" + id, TestTokens.token(null, "admin:accounts payments:read"))
                .GET());

    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(json.readTree(own.body()).get("ownerId").asString()).isEqualTo(holder.toString());
    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(problemType(foreign)).isEqualTo(problemType(unknown)).endsWith("/not-found");
    assertThat(foreign.body()).doesNotContain(alice.toString()).doesNotContain("300");
    assertThat(operations.statusCode()).isEqualTo(200);

    // The same key and body from another holder is that holder's own payment, not a replay.
    String key = "shared-" + UUID.randomUUID();
    var first = post(key, body(alice, bob, "\"400\"", "USD"));
    var other =
        send(
            request("/v1/payments", malloryToken)
                .header("Idempotency-Key", key)
                .POST(bodyOf(body(alice, bob, "\"400\"", "USD"))));
    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(other.statusCode()).isEqualTo(202);
    assertThat(other.headers().firstValue("Idempotent-Replayed")).contains("false");
    assertThat(json.readTree(other.body()).get("id").asString())
        .isNotEqualTo(json.readTree(first.body()).get("id").asString());

    // A token that acts for no holder (operations) cannot make a payment.
    var noHolder =
        send(
            request("/v1/payments", TestTokens.token(null, "payments:write admin:accounts"))
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(bodyOf(body(alice, bob, "\"1\"", "USD"))));
    assertThat(noHolder.statusCode()).isEqualTo(403);
    assertThat(paymentsOf(alice)).isEqualTo(3);
  }

  @Test
  void theOpenApiDocumentDescribesThePaymentEndpointsWithoutAToken() throws Exception {
    var docs = send(request("/v3/api-docs", null).GET());
    assertThat(docs.statusCode()).isEqualTo(200);
    JsonNode paths = json.readTree(docs.body()).get("paths");
    assertThat(paths.has("/v1/payments")).isTrue();
    assertThat(paths.get("/v1/payments").has("post")).isTrue();
    assertThat(paths.get("/v1/payments/{id}").has("get")).isTrue();
  }

  private String createPayment(String amount) throws Exception {
    var response =
        post(UUID.randomUUID().toString(), body(alice, bob, "\"" + amount + "\"", "USD"));
    assertThat(response.statusCode()).isEqualTo(202);
    return json.readTree(response.body()).get("id").asString();
  }

  private JsonNode awaitStatus(String id, String status) throws Exception {
    Instant until = Instant.now().plusSeconds(20);
    JsonNode payment;
    do {
      payment = json.readTree(send(request("/v1/payments/" + id).GET()).body());
      if (status.equals(payment.get("status").asString())) {
        return payment;
      }
      Thread.sleep(100);
    } while (Instant.now().isBefore(until));
    throw new AssertionError("payment " + id + " is " + payment.get("status") + ", not " + status);
  }

  private long paymentsOf(UUID payer) {
    return jdbc.sql("select count(*) from payment where payer_account_id = ?")
        .param(payer)
        .query(Long.class)
        .single();
  }

  private String problemType(HttpResponse<String> response) {
    return json.readTree(response.body()).get("type").asString();
  }

  private static String body(UUID payer, UUID payee, String amount, String asset) {
    return json(payer.toString(), payee.toString(), amount, asset);
  }

  private static String json(String payer, String payee, String amount, String asset) {
    return "{\"payerAccountId\":\"%s\",\"payeeAccountId\":\"%s\",\"amount\":%s,\"asset\":\"%s\",\"reference\":\"it\"}"
        .formatted(payer, payee, amount, asset);
  }

  private HttpResponse<String> post(String key, String body) throws Exception {
    return send(request("/v1/payments").header("Idempotency-Key", key).POST(bodyOf(body)));
  }

  private HttpRequest.Builder request(String path) {
    return request(path, holderToken);
  }

  private HttpRequest.Builder request(String path, @Nullable String token) {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(10));
    return token == null ? request : request.header("Authorization", "Bearer " + token);
  }

  private static HttpRequest.BodyPublisher bodyOf(String body) {
    return HttpRequest.BodyPublishers.ofString(body);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
