package io.tpwallet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tpwallet.common.event.Topics;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.KafkaProbe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Payments are limited by the payer's KYC tier before they are accepted: routing-service asks
 * account-service's wallet limit check with the caller's token. account-service is played by a
 * local HTTP server that answers as account-service does (its own side is account-service's
 * WalletIT): 200 within the limit, its 422 {@code kyc-limit-exceeded} problem above it, and a
 * server that is down or too slow makes the payment refused (fail closed).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "tpw.routing.limits.timeout=500ms")
class KycLimitIT {

  /** A real access token of one holder: routing-service checks it before it asks for limits. */
  static final String TOKEN =
      "Bearer " + TestTokens.token(UUID.randomUUID(), "payments:read payments:write");

  static final long PER_TRANSACTION_MINOR = 10_000;

  static volatile HttpServer accounts = standIn(0);
  static final List<JsonNode> asked = new CopyOnWriteArrayList<>();
  static final List<String> tokens = new CopyOnWriteArrayList<>();

  /** How the stand-in behaves for a payer wallet: answers, or sleeps past routing's timeout. */
  static final Map<String, String> mode = new ConcurrentHashMap<>();

  static final JsonMapper JSON = JsonMapper.builder().build();

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "routing_kyc");
    TestTokens.register(registry);
    registry.add(
        "tpw.routing.limits.account-service-url",
        () -> "http://127.0.0.1:" + accounts.getAddress().getPort());
  }

  @AfterAll
  static void stop() {
    accounts.stop(0);
  }

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;

  final HttpClient http = HttpClient.newHttpClient();
  final UUID bob = UUID.randomUUID();

  @Test
  void aPaymentWithinTheLimitIsCheckedWithTheCallersTokenAndAccepted() throws Exception {
    UUID alice = UUID.randomUUID();
    try (var kafka = new KafkaProbe(Topics.PAYMENT_CREATED)) {
      String key = UUID.randomUUID().toString();
      var response = pay(key, alice, "10000");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      String id = JSON.readTree(response.body()).get("id").asString();

      JsonNode check = askedFor(alice).get(0);
      assertThat(check.get("paymentId").asString()).isEqualTo(id);
      assertThat(check.get("amount").asString()).isEqualTo("10000");
      assertThat(check.get("asset").asString()).isEqualTo("USD");
      assertThat(tokens).contains(TOKEN);
      kafka.await(r -> id.equals(r.key()), Duration.ofSeconds(20));

      // A retry with the same key is the same payment: answered again, not checked again.
      var again = pay(key, alice, "10000");
      assertThat(again.statusCode()).isEqualTo(202);
      assertThat(JSON.readTree(again.body()).get("id").asString()).isEqualTo(id);
      assertThat(askedFor(alice)).hasSize(1);
    }
    assertThat(paymentsOf(alice)).isEqualTo(1);
  }

  @Test
  void aPaymentOverTheLimitIsRefusedWithTheFiguresAndNothingIsWritten() throws Exception {
    UUID alice = UUID.randomUUID();
    long outbox = count("outbox_event");
    var response = pay(UUID.randomUUID().toString(), alice, "10001");
    assertThat(response.statusCode()).isEqualTo(422);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    JsonNode problem = JSON.readTree(response.body());
    assertThat(problem.get("type").asString())
        .isEqualTo("https://tpwallet.io/problems/kyc-limit-exceeded");
    assertThat(problem.get("limit").asString()).isEqualTo("per-transaction");
    assertThat(problem.get("limitMinor").asString()).isEqualTo("10000");
    assertThat(problem.get("amountMinor").asString()).isEqualTo("10001");
    assertThat(problem.get("tier").asString()).isEqualTo("L0");
    assertThat(problem.get("detail").asString()).contains("per-transaction limit");
    assertThat(paymentsOf(alice)).isZero();
    assertThat(count("outbox_event")).isEqualTo(outbox);

    // A wallet that is not the caller's: account-service's 404 is the answer, nothing written.
    UUID mallory = UUID.randomUUID();
    mode.put(mallory.toString(), "not-yours");
    assertThat(pay(UUID.randomUUID().toString(), mallory, "100").statusCode()).isEqualTo(404);
    assertThat(paymentsOf(mallory)).isZero();
  }

  @Test
  void noAnswerFromAccountServiceRefusesThePaymentFailClosed() throws Exception {
    UUID slow = UUID.randomUUID();
    mode.put(slow.toString(), "slow");
    long started = System.nanoTime();
    var timedOut = pay(UUID.randomUUID().toString(), slow, "100");
    assertThat(timedOut.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(timedOut.body()).get("type").asString())
        .isEqualTo("https://tpwallet.io/problems/limit-check-unavailable");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));

    UUID broken = UUID.randomUUID();
    mode.put(broken.toString(), "error");
    assertThat(pay(UUID.randomUUID().toString(), broken, "100").statusCode()).isEqualTo(503);

    // account-service down: nothing listens on its port; back up, payments go through again.
    UUID alice = UUID.randomUUID();
    int accountPort = accounts.getAddress().getPort();
    accounts.stop(0);
    try {
      var down = pay(UUID.randomUUID().toString(), alice, "100");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(down.body()).get("detail").asString())
          .contains("nothing was charged");
    } finally {
      accounts = standIn(accountPort);
    }
    assertThat(paymentsOf(slow) + paymentsOf(broken) + paymentsOf(alice)).isZero();
    assertThat(pay(UUID.randomUUID().toString(), alice, "100").statusCode()).isEqualTo(202);
    assertThat(paymentsOf(alice)).isEqualTo(1);
  }

  // ---------------------------------------------------------------- the stand-in

  /** Answers like account-service's wallet limit check, with an L0 per-transaction limit. */
  static HttpServer standIn(int port) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
      server.createContext("/v1/accounts/wallets/", KycLimitIT::answer);
      server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void answer(HttpExchange exchange) throws IOException {
    String wallet = exchange.getRequestURI().getPath().split("/")[4];
    JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
    String token = exchange.getRequestHeaders().getFirst("Authorization");
    if (token != null) {
      tokens.add(token);
    }
    asked.add(
        JSON.createObjectNode()
            .put("wallet", wallet)
            .setAll((tools.jackson.databind.node.ObjectNode) body));
    switch (mode.getOrDefault(wallet, "limit")) {
      case "slow" -> {
        sleep(2_000);
        send(exchange, 200, "application/json", "{}");
      }
      case "error" -> send(exchange, 500, "text/plain", "boom");
      case "not-yours" ->
          send(
              exchange,
              404,
              "application/problem+json",
              "{\"type\":\"https://tpwallet.io/problems/not-found\",\"title\":\"Not found\","
                  + "\"status\":404,\"detail\":\"No wallet "
                  + wallet
                  + " is visible to the caller.\"}");
      default -> {
        long amount = Long.parseLong(body.get("amount").asString());
        if (amount <= PER_TRANSACTION_MINOR) {
          send(exchange, 200, "application/json", "{\"tier\":\"L0\"}");
        } else {
          send(
              exchange,
              422,
              "application/problem+json",
              "{\"type\":\"https://tpwallet.io/problems/kyc-limit-exceeded\",\"title\":\"KYC"
                  + " limit exceeded\",\"status\":422,\"detail\":\"The amount exceeds the"
                  + " per-transaction limit of KYC tier L0 (10000 minor units of USD); verify"
                  + " the next tier to raise it.\",\"tier\":\"L0\",\"limit\":\"per-transaction\","
                  + "\"limitMinor\":\"10000\",\"amountMinor\":\""
                  + amount
                  + "\",\"spentTodayMinor\":\"0\",\"spentThisMonthMinor\":\"0\","
                  + "\"asset\":\"USD\"}");
        }
      }
    }
  }

  static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", type);
    try {
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    } catch (IOException gone) {
      // routing gave up waiting (the slow case): nobody reads this answer any more
    } finally {
      exchange.close();
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- helpers

  List<JsonNode> askedFor(UUID wallet) {
    return asked.stream()
        .filter(n -> n.get("wallet").asString().equals(wallet.toString()))
        .toList();
  }

  HttpResponse<String> pay(String key, UUID payer, String amount) throws Exception {
    String body =
        "{\"payerAccountId\":\"%s\",\"payeeAccountId\":\"%s\",\"amount\":\"%s\",\"asset\":\"USD\"}"
            .formatted(payer, bob, amount);
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/payments"))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .header("Authorization", TOKEN)
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  long paymentsOf(UUID payer) {
    return jdbc.sql("select count(*) from payment where payer_account_id = ?")
        .param(payer)
        .query(Long.class)
        .single();
  }

  long count(String table) {
    return jdbc.sql("select count(*) from " + table).query(Long.class).single();
  }
}
