package io.tpwallet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tpwallet.testkit.TestAccessTokens;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway in front of a real HTTP backend (a JDK HttpServer on a random port), seen the way a
 * client sees it: statuses, headers, bodies, and what the backend received. Authentication and rate
 * limits are on, as by default; the client sends a token signed by {@link TestAccessTokens}.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      // The ledger route points at a dead port: its breaker opens after two failed calls, and lets
      // calls through again (half-open) 5 s later; two good calls then close it.
      "resilience4j.circuitbreaker.instances.ledger.sliding-window-size=2",
      "resilience4j.circuitbreaker.instances.ledger.minimum-number-of-calls=2",
      "resilience4j.circuitbreaker.instances.ledger.wait-duration-in-open-state=5s",
      "resilience4j.circuitbreaker.instances.ledger.permitted-number-of-calls-in-half-open-state=2",
      "resilience4j.timelimiter.instances.accounts.timeout-duration=500ms",
    })
class GatewayIT {

  static final int BODY_BYTES_MAX = 64 * 1024;

  /**
   * Far beyond the accounts time limit (500 ms) so that an answer well before it proves the gateway
   * gave up rather than waited, even on a busy build machine.
   */
  static final long SLOW_BACKEND_MS = 5000;

  static final String PROBLEM_JSON = "application/problem+json";
  static final String TOKEN =
      TestAccessTokens.token(
          "gateway-it", "payments:read payments:write ledger:read ledger:write accounts:read");
  static final String BACKEND_PROBLEM =
      "{\"type\":\"https://tpwallet.io/problems/idempotency-key-reused\",\"title\":\"Unprocessable"
          + " Content\",\"status\":422,\"detail\":\"same key, other body\"}";

  record Seen(String method, String path, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  static final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
  static final ExecutorService backendThreads = Executors.newCachedThreadPool();
  static final HttpServer backend = startBackend(0);
  static final int deadPort = freePort();

  final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @LocalServerPort int port;

  @DynamicPropertySource
  static void routes(DynamicPropertyRegistry registry) {
    String live = "http://127.0.0.1:" + backend.getAddress().getPort();
    registry.add("TPW_ROUTING_URL", () -> live);
    registry.add("TPW_ACCOUNT_URL", () -> live);
    registry.add("TPW_LEDGER_URL", () -> "http://127.0.0.1:" + deadPort);
    TestAccessTokens.register(registry, "tpw.gateway.auth");
  }

  @AfterAll
  static void stopBackend() {
    backend.stop(0);
    backendThreads.shutdownNow();
  }

  @BeforeEach
  void forgetRequests() {
    seen.clear();
  }

  @Test
  void paymentReachesTheBackendIntactAndItsAnswerComesBackUntouched() throws Exception {
    String body = "{\"payerAccountId\":\"a\",\"payeeAccountId\":\"b\",\"amount\":\"2500\"}";
    HttpResponse<String> accepted =
        send(
            post("/v1/payments", BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "key-42")
                .header("X-Request-Id", "req-from-client-1"));

    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(accepted.body()).isEqualTo("{\"id\":\"p-1\",\"status\":\"PENDING\"}");
    assertThat(accepted.headers().firstValue("X-Request-Id")).hasValue("req-from-client-1");
    assertThat(accepted.headers().allValues("X-Request-Id")).hasSize(1);
    assertThat(seen).hasSize(1);
    Seen request = seen.peek();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/payments");
    assertThat(new String(request.body(), StandardCharsets.UTF_8)).isEqualTo(body);
    assertThat(request.header("Idempotency-Key")).isEqualTo("key-42");
    assertThat(request.header("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    assertThat(request.header("X-Request-Id")).isEqualTo("req-from-client-1");

    HttpResponse<String> refused =
        send(
            post("/v1/payments/problem", BodyPublishers.ofString(body))
                .header("Idempotency-Key", "key-42"));

    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue(PROBLEM_JSON);
    assertThat(refused.body()).isEqualTo(BACKEND_PROBLEM);
  }

  @Test
  void requestIdIsMadeWhenMissingOrMalformedAndPassedDownstream() throws Exception {
    HttpResponse<String> made = send(get("/v1/accounts/alice"));

    String id = made.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(seen.peek().header("X-Request-Id")).isEqualTo(id);

    HttpResponse<String> replaced =
        send(get("/v1/accounts/alice").header("X-Request-Id", "not ok; <script>"));

    String replacement = replaced.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(replacement).isNotEqualTo("not ok; <script>").hasSize(36);
  }

  @Test
  void bodiesAboveTheLimitAreRefusedWith413AndTheBackendSeesNothing() throws Exception {
    byte[] tooLarge = new byte[BODY_BYTES_MAX + 1];
    Arrays.fill(tooLarge, (byte) 'x');

    HttpResponse<String> declared =
        send(
            post("/v1/payments", BodyPublishers.ofByteArray(tooLarge))
                .header("X-Request-Id", "big-1"));
    HttpResponse<String> chunked =
        send(post("/v1/payments", chunked(tooLarge)).header("Idempotency-Key", "big-2"));

    for (HttpResponse<String> response : List.of(declared, chunked)) {
      assertProblem(response, 413, "https://tpwallet.io/problems/payload-too-large");
    }
    assertThat(declared.body()).contains("\"requestId\":\"big-1\"");
    assertThat(declared.headers().firstValue("X-Request-Id")).hasValue("big-1");
    assertThat(seen).isEmpty();
  }

  @Test
  void aChunkedBodyOfExactlyTheLimitIsForwardedWhole() throws Exception {
    byte[] atLimit = new byte[BODY_BYTES_MAX];
    Arrays.fill(atLimit, (byte) 'y');

    HttpResponse<String> response =
        send(post("/v1/payments", chunked(atLimit)).header("Idempotency-Key", "at-limit"));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(seen.peek().body()).isEqualTo(atLimit);
    assertThat(seen.peek().header("Content-Length")).isEqualTo(Integer.toString(BODY_BYTES_MAX));
  }

  @Test
  void theBreakerOpensOnADownServiceAndClosesAfterItRecovers() throws Exception {
    for (int call = 1; call <= 2; call++) {
      long start = System.nanoTime();
      HttpResponse<String> down = send(transfer("down-" + call));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertProblem(down, 503, "https://tpwallet.io/problems/service-unavailable");
      assertThat(down.headers().firstValue("Retry-After")).hasValue("10");
    }
    assertThat(breakerState("ledger")).isEqualTo("OPEN");

    // The backend comes up, but the breaker is open now: the gateway must not call it yet.
    HttpServer revived = startBackend(deadPort);
    try {
      HttpResponse<String> open = send(transfer("while-open"));
      assertProblem(open, 503, "https://tpwallet.io/problems/service-unavailable");
      assertThat(open.headers().firstValue("Retry-After")).isPresent();
      assertThat(seen).isEmpty();

      // After the open wait (5 s) trial calls pass; two good ones close the breaker.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      int served = 0;
      while (served < 2 && System.nanoTime() < deadline) {
        HttpResponse<String> trial = send(transfer("trial-" + System.nanoTime()));
        if (trial.statusCode() == 200) {
          served++;
        } else {
          assertProblem(trial, 503, "https://tpwallet.io/problems/service-unavailable");
          Thread.sleep(250);
        }
      }
      assertThat(served).isEqualTo(2);
      assertThat(breakerState("ledger")).isEqualTo("CLOSED");
      assertThat(seen).hasSize(2).allMatch(r -> r.path().equals("/v1/ledger/transfers"));
      assertThat(send(transfer("after-recovery")).statusCode()).isEqualTo(200);
    } finally {
      revived.stop(0);
    }
  }

  @Test
  void aMoneyMovingPostWithoutAnIdempotencyKeyIs400AtTheEdge() throws Exception {
    String body = "{\"payerAccountId\":\"a\",\"payeeAccountId\":\"b\",\"amount\":\"1\"}";
    HttpResponse<String> missing =
        send(post("/v1/payments", BodyPublishers.ofString(body)).header("X-Request-Id", "nokey-1"));
    HttpResponse<String> blank =
        send(post("/v1/payments", BodyPublishers.ofString(body)).header("Idempotency-Key", " "));
    HttpResponse<String> ledgerPost =
        send(post("/v1/ledger/transfers/t-1/post", BodyPublishers.ofString("{}")));
    HttpResponse<String> tooLong =
        send(
            post("/v1/payments", BodyPublishers.ofString(body))
                .header("Idempotency-Key", "k".repeat(256)));

    for (HttpResponse<String> response : List.of(missing, blank, ledgerPost)) {
      assertProblem(response, 400, "https://tpwallet.io/problems/idempotency-key-missing");
    }
    assertThat(missing.body()).contains("\"requestId\":\"nokey-1\"");
    // The refused body was never read: the connection must not be reused for the next request.
    assertThat(missing.headers().firstValue("Connection")).hasValue("close");
    assertProblem(tooLong, 400, "https://tpwallet.io/problems/validation");
    assertThat(seen).isEmpty();

    // Without a token the caller learns nothing about the path's rules: 401 first.
    HttpResponse<String> anonymous =
        client.send(
            HttpRequest.newBuilder(uri("/v1/payments"))
                .POST(BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10))
                .build(),
            BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);

    // A key of exactly 255 characters, reads and other POSTs pass.
    HttpResponse<String> longest =
        send(
            post("/v1/payments", BodyPublishers.ofString(body))
                .header("Idempotency-Key", "k".repeat(255)));
    assertThat(longest.statusCode()).isEqualTo(202);
    assertThat(send(get("/v1/payments/p-1")).statusCode()).isEqualTo(200);
    assertThat(send(post("/v1/accounts/customers", BodyPublishers.ofString("{}"))).statusCode())
        .isEqualTo(200);
    assertThat(seen).hasSize(3);
  }

  @Test
  void aSlowBackendAnswers504() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response = send(get("/v1/accounts/slow"));

    assertProblem(response, 504, "https://tpwallet.io/problems/gateway-timeout");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(Duration.ofMillis(SLOW_BACKEND_MS - 1000));
  }

  @Test
  void aGetIsRetriedOnceButAPostNeverIs() throws Exception {
    HttpResponse<String> get = send(get("/v1/accounts/flaky"));

    assertThat(get.statusCode()).isEqualTo(503);
    assertThat(get.body()).isEqualTo(flakyProblem());
    assertThat(seen).hasSize(2);

    seen.clear();
    HttpResponse<String> post =
        send(
            post("/v1/payments/flaky", BodyPublishers.ofString("{}"))
                .header("Idempotency-Key", "k"));

    assertThat(post.statusCode()).isEqualTo(503);
    assertThat(post.body()).isEqualTo(flakyProblem());
    assertThat(seen).hasSize(1);
  }

  @Test
  void theServicesOpenApiDocumentsAreListedAndServedWithoutAToken() throws Exception {
    HttpResponse<String> list =
        client.send(
            get("/v3/api-docs").timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString());
    HttpResponse<String> payments =
        client.send(
            get("/v3/api-docs/payments").timeout(Duration.ofSeconds(10)).build(),
            BodyHandlers.ofString());

    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body())
        .contains("{\"name\":\"payments\",\"url\":\"/v3/api-docs/payments\"}")
        .contains("\"url\":\"/v3/api-docs/ledger\"")
        .contains("\"url\":\"/v3/api-docs/accounts\"");
    assertThat(payments.statusCode()).isEqualTo(200);
    assertThat(seen).hasSize(1);
    assertThat(seen.peek().method()).isEqualTo("GET");
    assertThat(seen.peek().path()).isEqualTo("/v3/api-docs");
    // Read-only: a POST to a document is no route (and needs a token like any other path).
    assertThat(send(post("/v3/api-docs/payments", BodyPublishers.ofString("{}"))).statusCode())
        .isEqualTo(404);
  }

  @Test
  void unknownPathsAndMethodsAreProblems() throws Exception {
    assertProblem(send(get("/v2/nothing")), 404, "https://tpwallet.io/problems/not-found");
    HttpResponse<String> notAllowed =
        send(HttpRequest.newBuilder(uri("/actuator/health")).DELETE());
    assertProblem(notAllowed, 405, "https://tpwallet.io/problems/method-not-allowed");
    assertThat(seen).isEmpty();
  }

  @Test
  void probesAndMetricsAreServed() throws Exception {
    assertThat(send(get("/actuator/health/readiness")).statusCode()).isEqualTo(200);
    assertThat(send(get("/actuator/health/liveness")).statusCode()).isEqualTo(200);
    send(get("/v1/accounts/alice"));
    HttpResponse<String> metrics = send(get("/actuator/prometheus"));
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("application=\"gateway-service\"")
        .contains("http_server_requests_seconds_bucket");
  }

  private void assertProblem(HttpResponse<String> response, int status, String type) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue(PROBLEM_JSON);
    assertThat(response.body())
        .contains("\"type\":\"" + type + "\"")
        .contains("\"status\":" + status);
    assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
  }

  private HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return client.send(
        request.header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(),
        BodyHandlers.ofString());
  }

  private HttpRequest.Builder transfer(String key) {
    return post("/v1/ledger/transfers", BodyPublishers.ofString("{\"amount\":\"1\"}"))
        .header("Idempotency-Key", key);
  }

  /** The breaker's state as the actuator reports it, e.g. {@code OPEN}. */
  private String breakerState(String name) throws Exception {
    String body = send(get("/actuator/circuitbreakers")).body();
    var matcher =
        java.util.regex.Pattern.compile("\"" + name + "\":\\{[^}]*\"state\":\"([A-Z_]+)\"")
            .matcher(body);
    assertThat(matcher.find()).as(body).isTrue();
    return matcher.group(1);
  }

  private HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(uri(path)).GET();
  }

  private HttpRequest.Builder post(String path, BodyPublisher body) {
    return HttpRequest.newBuilder(uri(path)).POST(body);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** A body of unknown length, which the client sends chunked, without Content-Length. */
  private static BodyPublisher chunked(byte[] body) {
    return BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
  }

  private static String flakyProblem() {
    return "{\"type\":\"https://tpwallet.io/problems/backend-busy\",\"status\":503}";
  }

  private static HttpServer startBackend(int port) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      server.setExecutor(backendThreads);
      server.createContext("/", GatewayIT::answer);
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void answer(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String path = exchange.getRequestURI().getPath();
    seen.add(
        new Seen(
            exchange.getRequestMethod(), path, Map.copyOf(exchange.getRequestHeaders()), body));
    switch (path) {
      case "/v1/payments" ->
          reply(exchange, 202, "application/json", "{\"id\":\"p-1\",\"status\":\"PENDING\"}");
      case "/v1/payments/problem" -> reply(exchange, 422, PROBLEM_JSON, BACKEND_PROBLEM);
      case "/v1/accounts/flaky", "/v1/payments/flaky" ->
          reply(exchange, 503, PROBLEM_JSON, flakyProblem());
      case "/v1/accounts/slow" -> {
        try {
          Thread.sleep(SLOW_BACKEND_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        reply(exchange, 200, "application/json", "{}");
      }
      default -> reply(exchange, 200, "application/json", "{\"id\":\"alice\"}");
    }
  }

  private static void reply(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
