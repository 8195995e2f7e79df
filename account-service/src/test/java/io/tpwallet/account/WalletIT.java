package io.tpwallet.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import io.tpwallet.common.event.AccountOpenRejected;
import io.tpwallet.common.event.AccountOpenRequested;
import io.tpwallet.common.event.AccountOpened;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.PaymentFinished;
import io.tpwallet.common.event.Topics;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.KafkaProbe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Wallets and merchant webhooks, with the outbox relay and Kafka on: a new wallet sends the ledger
 * its open command, the ledger's answer activates it, and a payment from it is checked against the
 * holder's KYC limits (the ledger's side of the command is LedgerIT's; here the test answers as the
 * ledger does). A payment's final status on Kafka reaches the merchant's endpoint (a local
 * receiver) signed, retried with backoff, once per event, dead after the last retry, replayable.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "tpw.account.ops-client.id=ops-test",
      "tpw.account.ops-client.secret=ops-test-secret-0123456789",
      "tpw.account.webhooks.encryption-key=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
      "tpw.account.webhooks.allow-private-targets=true",
      "tpw.account.webhooks.attempts-max=3",
      "tpw.account.webhooks.backoff-first=200ms",
      "tpw.account.webhooks.backoff-max=2s",
      "tpw.account.webhooks.poll-interval=100ms"
    })
class WalletIT extends AccountServiceSupport {

  static final Duration EVENT_WAIT = Duration.ofSeconds(30);

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "wallet");
  }

  static KafkaProbe kafka;
  static Receiver receiver;

  @BeforeAll
  static void probe() throws IOException {
    kafka = new KafkaProbe(Topics.LEDGER_ACCOUNT_OPEN_REQUESTED);
    receiver = new Receiver();
  }

  @AfterAll
  static void closeProbe() {
    kafka.close();
    receiver.close();
  }

  @Autowired Envelope envelope;

  @Test
  void aNewWalletAsksTheLedgerForItsAccountOnceAndBecomesActiveOnTheAnswer() throws Exception {
    User alice = newUser();
    Answer opened = openWallet(alice, "USD");
    assertThat(opened.status()).isEqualTo(201);
    assertThat(opened.text("status")).isEqualTo("OPENING");
    assertThat(opened.text("customerId")).isEqualTo(alice.id().toString());
    String walletId = opened.text("id");

    ConsumerRecord<String, byte[]> record = awaitCommand(walletId);
    CloudEvent command = Envelope.deserialize(record.value());
    assertThat(command.getType()).isEqualTo("tpw.ledger.account-open-requested");
    assertThat(envelope.data(command, AccountOpenRequested.class))
        .isEqualTo(
            new AccountOpenRequested(
                UUID.fromString(walletId),
                "USD",
                "wallet",
                "customer:" + alice.id(),
                List.of("DEBITS_MUST_NOT_EXCEED_CREDITS")));

    // Asking again answers the same wallet and sends no second command.
    Answer again = openWallet(alice, "usd");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.text("id")).isEqualTo(walletId);

    byte[] answer = accountOpened(walletId, "USD", alice);
    kafka.send(Topics.LEDGER_ACCOUNT_OPENED, walletId, answer);
    kafka.send(Topics.LEDGER_ACCOUNT_OPENED, walletId, answer); // redelivered
    assertThat(awaitStatus(alice, walletId, "ACTIVE").text("asset")).isEqualTo("USD");
    assertThat(
            kafka.all(
                r ->
                    walletId.equals(r.key())
                        && r.topic().equals(Topics.LEDGER_ACCOUNT_OPEN_REQUESTED),
                Duration.ofMillis(500)))
        .hasSize(1);
    assertThat(audit(walletId, "wallet.active", "OK")).isEqualTo(1);

    Answer list =
        call("GET", "/v1/accounts/customers/" + alice.id() + "/wallets", alice.access(), null);
    assertThat(list.body().findValuesAsString("id")).containsExactly(walletId);
    User bob = newUser();
    assertThat(call("GET", "/v1/accounts/wallets/" + walletId, bob.access(), null).status())
        .isEqualTo(404);
    assertThat(openWallet(bob, alice, "EUR").status()).isEqualTo(404);
    assertThat(audit(walletId, "wallet.read", "REFUSED")).isEqualTo(1);
  }

  @Test
  void badInputOpensNothingAndARefusalByTheLedgerFailsTheWallet() throws Exception {
    User carol = newUser();
    long before = count("wallet");
    Answer bad = openWallet(carol, "DOGE");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.text("type")).isEqualTo("https://tpwallet.io/problems/validation");
    assertThat(
            call("POST", "/v1/accounts/customers/" + carol.id() + "/wallets", carol.access(), "{")
                .status())
        .isEqualTo(400);
    assertThat(count("wallet")).isEqualTo(before);

    String walletId = openWallet(carol, "EUR").text("id");
    awaitCommand(walletId);
    kafka.send(
        Topics.LEDGER_ACCOUNT_OPEN_REJECTED,
        walletId,
        Envelope.serialize(
            envelope.wrap(
                "tpw.ledger.account-open-rejected",
                walletId,
                new AccountOpenRejected(
                    UUID.fromString(walletId), "INVALID_ACCOUNT", "refused for the test"))));
    Answer failed = awaitStatus(carol, walletId, "FAILED");
    assertThat(failed.text("reason")).isEqualTo("INVALID_ACCOUNT: refused for the test");
    // A late "opened" after the refusal does not revive it.
    kafka.send(Topics.LEDGER_ACCOUNT_OPENED, walletId, accountOpened(walletId, "EUR", carol));
    Thread.sleep(1_000);
    assertThat(call("GET", "/v1/accounts/wallets/" + walletId, carol.access(), null).text("status"))
        .isEqualTo("FAILED");
  }

  @Test
  void aPaymentFromAWalletIsCheckedAgainstItsHoldersTierLimits() throws Exception {
    User dave = newUser();
    String walletId = activeWallet(dave, "USD");

    Answer within = authorizeFrom(walletId, dave.access(), "10000", "USD"); // L0 per transaction
    assertThat(within.status()).as(within.body().toString()).isEqualTo(200);
    assertThat(within.text("tier")).isEqualTo("L0");
    assertThat(within.text("spentToday")).isEqualTo("10000");

    Answer over = authorizeFrom(walletId, dave.access(), "10001", "USD");
    assertThat(over.status()).isEqualTo(422);
    assertThat(over.text("type")).isEqualTo("https://tpwallet.io/problems/kyc-limit-exceeded");
    assertThat(over.text("limit")).isEqualTo("per-transaction");
    assertThat(over.text("limitMinor")).isEqualTo("10000");
    assertThat(over.text("amountMinor")).isEqualTo("10001");
    assertThat(over.text("spentTodayMinor")).isEqualTo("10000");

    Answer otherAsset = authorizeFrom(walletId, dave.access(), "100", "EUR");
    assertThat(otherAsset.status()).isEqualTo(422);
    assertThat(otherAsset.text("type")).endsWith("/wallet-asset-mismatch");

    String opening = openWallet(dave, "EUR").text("id");
    Answer notActive = authorizeFrom(opening, dave.access(), "100", "EUR");
    assertThat(notActive.status()).isEqualTo(409);
    assertThat(notActive.text("type")).endsWith("/wallet-not-active");

    User eve = newUser();
    assertThat(authorizeFrom(walletId, eve.access(), "100", "USD").status()).isEqualTo(404);
    assertThat(authorizeFrom(walletId, null, "100", "USD").status()).isEqualTo(401);
    assertThat(
            jdbc.sql("select count(*) from kyc_spend where customer_id = ?")
                .param(dave.id())
                .query(Long.class)
                .single())
        .isEqualTo(1);
  }

  @Test
  void aPaymentThatFailedGivesItsAmountBackToTheDaysLimit() throws Exception {
    User erin = newUser();
    String walletId = activeWallet(erin, "USD");
    UUID failed = UUID.randomUUID();
    assertThat(authorizeFrom(walletId, erin.access(), "10000", "USD").status()).isEqualTo(200);
    assertThat(authorizeFrom(walletId, erin.access(), failed, "10000", "USD").status())
        .isEqualTo(200);
    assertThat(authorizeFrom(walletId, erin.access(), "10000", "USD").status()).isEqualTo(200);
    Answer full = authorizeFrom(walletId, erin.access(), "100", "USD");
    assertThat(full.status()).isEqualTo(422);
    assertThat(full.text("limit")).isEqualTo("per-day"); // L0: 300.00 a day

    byte[] event =
        Envelope.serialize(
            envelope.wrap(
                "tpw.payment.failed",
                failed.toString(),
                new PaymentFinished(
                    failed,
                    "FAILED",
                    UUID.fromString(walletId),
                    UUID.randomUUID(),
                    "10000",
                    "USD",
                    null,
                    "INSUFFICIENT_FUNDS: balance too low",
                    Instant.now())));
    kafka.send(Topics.PAYMENT_FAILED, failed.toString(), event);
    kafka.send(Topics.PAYMENT_FAILED, failed.toString(), event); // redelivered
    Instant until = Instant.now().plus(EVENT_WAIT);
    while (audit(failed.toString(), "kyc.release", "OK") == 0 && Instant.now().isBefore(until)) {
      Thread.sleep(100);
    }
    assertThat(audit(failed.toString(), "kyc.release", "OK")).isEqualTo(1);
    Answer roomAgain = authorizeFrom(walletId, erin.access(), "100", "USD");
    assertThat(roomAgain.status()).as(roomAgain.body().toString()).isEqualTo(200);
    assertThat(roomAgain.text("spentToday")).isEqualTo("20100");
  }

  // ---------------------------------------------------------------- merchant webhooks

  @Test
  void aSettledPaymentIsDeliveredSignedRetriedWithBackoffAndOnceOnly() throws Exception {
    String ops = clientToken(OPS, OPS_SECRET, null).text("access_token");
    String merchant =
        call("POST", "/v1/accounts/merchants", ops, "{\"displayName\":\"Shop\"}").text("id");
    String wallet =
        call("POST", "/v1/accounts/customers/" + merchant + "/wallets", ops, "{\"asset\":\"USD\"}")
            .text("id");
    receiver.script("/shop", 500, 500, 200);
    Answer subscribed = subscribe(ops, merchant, receiver.url("/shop"));
    assertThat(subscribed.status()).as(subscribed.body().toString()).isEqualTo(201);
    String secret = subscribed.text("secret");
    assertThat(secret).startsWith("whsec_");
    byte[] sealed =
        jdbc.sql("select secret_sealed from webhook_subscription where id = ?")
            .param(UUID.fromString(subscribed.text("id")))
            .query(byte[].class)
            .single();
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain(secret.substring(6));
    assertThat(
            call("GET", "/v1/accounts/merchants/" + merchant + "/webhooks", ops, null)
                .body()
                .get(0)
                .get("secret")
                .isNull())
        .isTrue();

    UUID payment = UUID.randomUUID();
    CloudEvent settled =
        envelope.wrap(
            "tpw.payment.settled",
            payment.toString(),
            new PaymentFinished(
                payment,
                "SETTLED",
                UUID.randomUUID(),
                UUID.fromString(wallet),
                "2500",
                "USD",
                "order 7",
                null,
                Instant.now()));
    kafka.send(Topics.PAYMENT_SETTLED, payment.toString(), Envelope.serialize(settled));
    kafka.send(Topics.PAYMENT_SETTLED, payment.toString(), Envelope.serialize(settled)); // again

    JsonNode delivery = awaitDelivery(ops, merchant, "DELIVERED");
    assertThat(delivery.get("attempts").asInt()).isEqualTo(3);
    assertThat(delivery.get("log").findValuesAsString("httpStatus"))
        .containsExactly("500", "500", "200");
    List<Instant> at =
        delivery.get("log").findValuesAsString("at").stream().map(Instant::parse).toList();
    assertThat(Duration.between(at.get(0), at.get(1)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(Duration.between(at.get(1), at.get(2)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(400));

    List<Received> got = receiver.received("/shop");
    assertThat(got).hasSize(3);
    for (Received r : got) {
      assertThat(r.id()).isEqualTo(settled.getId());
      assertThat(r.signature()).isEqualTo("v1=" + hmacHex(secret, r.timestamp() + "." + r.body()));
      JsonNode body = json.readTree(r.body());
      assertThat(body.get("type").asString()).isEqualTo("payment.settled");
      assertThat(body.get("id").asString()).isEqualTo(settled.getId());
      assertThat(body.get("data").get("amount").asString()).isEqualTo("2500");
      assertThat(body.get("data").get("paymentId").asString()).isEqualTo(payment.toString());
    }
    Thread.sleep(1_500); // the redelivered event must not bring a second delivery
    assertThat(receiver.received("/shop")).hasSize(3);
    assertThat(
            call("GET", "/v1/accounts/merchants/" + merchant + "/webhooks/deliveries", ops, null)
                .body())
        .hasSize(1);
  }

  @Test
  void aDeliveryIsDeadAfterItsLastRetryAndAReplayDeliversIt() throws Exception {
    String ops = clientToken(OPS, OPS_SECRET, null).text("access_token");
    String merchant =
        call("POST", "/v1/accounts/merchants", ops, "{\"displayName\":\"Down\"}").text("id");
    String wallet =
        call("POST", "/v1/accounts/customers/" + merchant + "/wallets", ops, "{\"asset\":\"EUR\"}")
            .text("id");
    receiver.script("/down", 503, 503, 503, 200);
    assertThat(subscribe(ops, merchant, receiver.url("/down")).status()).isEqualTo(201);
    UUID payment = UUID.randomUUID();
    kafka.send(
        Topics.PAYMENT_FAILED,
        payment.toString(),
        Envelope.serialize(
            envelope.wrap(
                "tpw.payment.failed",
                payment.toString(),
                new PaymentFinished(
                    payment,
                    "FAILED",
                    UUID.fromString(wallet),
                    UUID.randomUUID(),
                    "900",
                    "EUR",
                    null,
                    "INSUFFICIENT_FUNDS: balance too low",
                    Instant.now()))));

    JsonNode dead = awaitDelivery(ops, merchant, "DEAD");
    assertThat(dead.get("attempts").asInt()).isEqualTo(3); // attempts-max of the test
    Thread.sleep(1_000);
    assertThat(receiver.received("/down")).hasSize(3);

    String deliveryId = dead.get("id").asString();
    User stranger = newUser();
    assertThat(
            call(
                    "POST",
                    "/v1/accounts/webhooks/deliveries/" + deliveryId + "/replay",
                    stranger.access(),
                    null)
                .status())
        .isEqualTo(404);
    Answer replayed =
        call("POST", "/v1/accounts/webhooks/deliveries/" + deliveryId + "/replay", ops, null);
    assertThat(replayed.status()).isEqualTo(200);
    JsonNode delivered = awaitDelivery(ops, merchant, "DELIVERED");
    assertThat(delivered.get("attempts").asInt()).isEqualTo(4);
    assertThat(json.readTree(receiver.received("/down").get(3).body()).get("type").asString())
        .isEqualTo("payment.failed");
    assertThat(audit(deliveryId, "webhook.replay", "OK")).isEqualTo(1);
  }

  @Test
  void aWebhookNeedsAMerchantAndAValidUrl() throws Exception {
    String ops = clientToken(OPS, OPS_SECRET, null).text("access_token");
    String merchant =
        call("POST", "/v1/accounts/merchants", ops, "{\"displayName\":\"Bad\"}").text("id");
    assertThat(subscribe(ops, merchant, "ftp://example.com/x").status()).isEqualTo(400);
    assertThat(subscribe(ops, merchant, "not a url").status()).isEqualTo(400);
    User user = newUser();
    assertThat(subscribe(ops, user.id().toString(), "https://example.com/hook").status())
        .isEqualTo(422);
    assertThat(subscribe(user.access(), merchant, "https://example.com/hook").status())
        .isEqualTo(404);
    assertThat(count("webhook_subscription where customer_id = '" + merchant + "'")).isZero();
  }

  Answer subscribe(String token, String merchant, String url) throws Exception {
    return call(
        "POST",
        "/v1/accounts/merchants/" + merchant + "/webhooks",
        token,
        "{\"url\":\"" + url + "\"}");
  }

  JsonNode awaitDelivery(String token, String merchant, String status) throws Exception {
    Instant until = Instant.now().plus(EVENT_WAIT);
    JsonNode list;
    do {
      list =
          call("GET", "/v1/accounts/merchants/" + merchant + "/webhooks/deliveries", token, null)
              .body();
      if (list.size() == 1 && status.equals(list.get(0).get("status").asString())) {
        return list.get(0);
      }
      Thread.sleep(100);
    } while (Instant.now().isBefore(until));
    throw new AssertionError("deliveries of " + merchant + ": " + list);
  }

  static String hmacHex(String secret, String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  record Received(String id, String timestamp, String signature, String body) {}

  /** A merchant's endpoint: answers each request on a path with the next scripted status. */
  static final class Receiver implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, Deque<Integer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, List<Received>> received = new ConcurrentHashMap<>();

    Receiver() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", this::handle);
      server.start();
    }

    void script(String path, Integer... statuses) {
      scripts.put(path, new ConcurrentLinkedDeque<>(List.of(statuses)));
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Received> received(String path) {
      return List.copyOf(received.getOrDefault(path, List.of()));
    }

    private void handle(HttpExchange exchange) throws IOException {
      String path = exchange.getRequestURI().getPath();
      var headers = exchange.getRequestHeaders();
      received
          .computeIfAbsent(path, p -> new CopyOnWriteArrayList<>())
          .add(
              new Received(
                  headers.getFirst("Webhook-Id"),
                  headers.getFirst("Webhook-Timestamp"),
                  headers.getFirst("Webhook-Signature"),
                  new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      Deque<Integer> script = scripts.get(path);
      Integer next = script == null ? null : script.poll();
      int status = next == null ? 200 : next;
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  // ---------------------------------------------------------------- helpers

  Answer openWallet(User user, String asset) throws Exception {
    return openWallet(user, user, asset);
  }

  Answer openWallet(User caller, User holder, String asset) throws Exception {
    return call(
        "POST",
        "/v1/accounts/customers/" + holder.id() + "/wallets",
        caller.access(),
        "{\"asset\":\"" + asset + "\"}");
  }

  /** A wallet the ledger has answered for, as it does once the account exists. */
  String activeWallet(User user, String asset) throws Exception {
    String walletId = openWallet(user, asset).text("id");
    awaitCommand(walletId);
    kafka.send(Topics.LEDGER_ACCOUNT_OPENED, walletId, accountOpened(walletId, asset, user));
    awaitStatus(user, walletId, "ACTIVE");
    return walletId;
  }

  /** The ledger's answer to the wallet's open command, as ledger-service writes it. */
  byte[] accountOpened(String walletId, String asset, User holder) {
    return Envelope.serialize(
        envelope.wrap(
            "tpw.ledger.account-opened",
            walletId,
            new AccountOpened(
                UUID.fromString(walletId),
                asset,
                "wallet",
                "customer:" + holder.id(),
                Instant.now())));
  }

  Answer authorizeFrom(String walletId, String token, String amount, String asset)
      throws Exception {
    return authorizeFrom(walletId, token, UUID.randomUUID(), amount, asset);
  }

  Answer authorizeFrom(String walletId, String token, UUID payment, String amount, String asset)
      throws Exception {
    return call(
        "POST",
        "/v1/accounts/wallets/" + walletId + "/limits/authorizations",
        token,
        "{\"paymentId\":\""
            + payment
            + "\",\"amount\":\""
            + amount
            + "\",\"asset\":\""
            + asset
            + "\"}");
  }

  ConsumerRecord<String, byte[]> awaitCommand(String walletId) {
    return kafka.await(
        r -> r.topic().equals(Topics.LEDGER_ACCOUNT_OPEN_REQUESTED) && walletId.equals(r.key()),
        EVENT_WAIT);
  }

  Answer awaitStatus(User user, String walletId, String status) throws Exception {
    Instant until = Instant.now().plus(EVENT_WAIT);
    Answer wallet;
    do {
      wallet = call("GET", "/v1/accounts/wallets/" + walletId, user.access(), null);
      if (status.equals(wallet.text("status"))) {
        return wallet;
      }
      Thread.sleep(100);
    } while (Instant.now().isBefore(until));
    throw new AssertionError("wallet " + walletId + " is " + wallet.text("status"));
  }
}
