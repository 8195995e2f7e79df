package io.tpwallet.routing;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
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
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(10));
  }

  private static HttpRequest.BodyPublisher bodyOf(String body) {
    return HttpRequest.BodyPublishers.ofString(body);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
