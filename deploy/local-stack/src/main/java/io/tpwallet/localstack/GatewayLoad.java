package io.tpwallet.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.json.JsonMapper;

/**
 * Gateway overhead: the same authenticated read ({@code GET /v1/payments/{id}} of the driver's own
 * payment, a real access token from a customer login) sent straight to routing-service and through
 * the gateway, which then also checks the token, both rate limits (Redis) and the route's breaker.
 * One client for latency (p50/p99/p999: the gateway's added latency is the difference), then {@code
 * clients} concurrent clients for throughput (requests/s) on each path.
 *
 * <p>Usage: {@code GatewayLoad [gatewayUrl] [routingUrl] [clients] [seconds]}; defaults {@code
 * http://127.0.0.1:8080 http://127.0.0.1:8083 16 15}. Bounded: at most {@link #SECONDS_MAX} s per
 * phase, {@link #CLIENTS_MAX} clients, {@link #REQUESTS_MAX} requests per phase; loopback only (it
 * refuses other hosts). Every answer must be 200: a 429 (quota) or 5xx is counted and reported.
 */
public final class GatewayLoad {

  static final int CLIENTS_MAX = 128;
  static final int SECONDS_MAX = 60;
  static final int REQUESTS_MAX = 2_000_000;
  static final int WARMUP_SECONDS = 10;
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final URI gateway;
  private final URI routing;
  private final int clients;
  private final int seconds;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final JsonMapper json = JsonMapper.builder().build();

  GatewayLoad(URI gateway, URI routing, int clients, int seconds) {
    this.gateway = gateway;
    this.routing = routing;
    this.clients = clients;
    this.seconds = seconds;
  }

  public static void main(String[] args) throws Exception {
    URI gateway = loopback(args.length > 0 ? args[0] : "http://127.0.0.1:8080");
    URI routing = loopback(args.length > 1 ? args[1] : "http://127.0.0.1:8083");
    int clients = bounded(args.length > 2 ? args[2] : "16", 1, CLIENTS_MAX, "clients");
    int seconds = bounded(args.length > 3 ? args[3] : "15", 1, SECONDS_MAX, "seconds");
    new GatewayLoad(gateway, routing, clients, seconds).run();
  }

  /** One phase's outcome: latencies of the 200 answers, other answers, wall time. */
  record Phase(long[] latenciesNs, long failures, long wallNs) {
    double perSecond() {
      return latenciesNs.length / (wallNs / 1e9);
    }

    double percentileMs(double p) {
      if (latenciesNs.length == 0) {
        return Double.NaN;
      }
      int index = (int) Math.min(latenciesNs.length - 1, Math.ceil(p * latenciesNs.length) - 1);
      return latenciesNs[Math.max(0, index)] / 1e6;
    }
  }

  void run() throws Exception {
    String token = login();
    String paymentId = pay(token);
    String path = "/v1/payments/" + paymentId;
    System.out.printf(
        "gateway overhead: GET %s with a customer's token; %d s per phase, %d clients for"
            + " throughput%n",
        "/v1/payments/{id}", seconds, clients);
    phase(routing, path, token, 1, WARMUP_SECONDS);
    phase(gateway, path, token, 1, WARMUP_SECONDS);

    Phase direct1 = phase(routing, path, token, 1, seconds);
    Phase gateway1 = phase(gateway, path, token, 1, seconds);
    Phase directN = phase(routing, path, token, clients, seconds);
    Phase gatewayN = phase(gateway, path, token, clients, seconds);

    System.out.println();
    String format = "  %-10s %-8s %9s %9s %9s %9s %12s %9s%n";
    System.out.printf(
        format,
        "path",
        "clients",
        "requests",
        "p50 ms",
        "p99 ms",
        "p999 ms",
        "requests/s",
        "non-200");
    row(format, "direct", 1, direct1);
    row(format, "gateway", 1, gateway1);
    row(format, "direct", clients, directN);
    row(format, "gateway", clients, gatewayN);
    System.out.println();
    System.out.printf(
        "added by the gateway (1 client): p50 %+.2f ms, p99 %+.2f ms; max throughput %d clients:"
            + " %.0f/s through the gateway vs %.0f/s direct (%.0f %%)%n",
        gateway1.percentileMs(0.50) - direct1.percentileMs(0.50),
        gateway1.percentileMs(0.99) - direct1.percentileMs(0.99),
        clients,
        gatewayN.perSecond(),
        directN.perSecond(),
        100 * gatewayN.perSecond() / directN.perSecond());
    long failures =
        direct1.failures() + gateway1.failures() + directN.failures() + gatewayN.failures();
    if (failures > 0) {
      System.out.println("WARNING: " + failures + " answers were not 200 (quota, errors)");
      System.exit(1);
    }
  }

  private static void row(String format, String path, int clients, Phase p) {
    System.out.printf(
        format,
        path,
        clients,
        p.latenciesNs().length,
        String.format("%.2f", p.percentileMs(0.50)),
        String.format("%.2f", p.percentileMs(0.99)),
        String.format("%.2f", p.percentileMs(0.999)),
        String.format("%.0f", p.perSecond()),
        p.failures());
  }

  /** {@code clients} closed-loop clients sending the same GET for {@code phaseSeconds}. */
  Phase phase(URI base, String path, String token, int clients, int phaseSeconds) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(REQUEST_TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .GET()
            .build();
    int perClientMax = REQUESTS_MAX / clients;
    AtomicLong failures = new AtomicLong();
    long started = System.nanoTime();
    long deadline = started + Duration.ofSeconds(phaseSeconds).toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      Future<?>[] futures = new Future<?>[clients];
      long[][] latencies = new long[clients][];
      for (int c = 0; c < clients; c++) {
        int client = c;
        futures[c] =
            pool.submit(
                () -> {
                  long[] mine = new long[Math.min(perClientMax, 1 << 16)];
                  int n = 0;
                  while (n < perClientMax && System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    int status;
                    try {
                      status =
                          http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (IOException e) {
                      status = -1;
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      break;
                    }
                    long took = System.nanoTime() - t0;
                    if (status != 200) {
                      failures.incrementAndGet();
                      continue;
                    }
                    if (n == mine.length) {
                      mine = Arrays.copyOf(mine, Math.min(perClientMax, mine.length * 2));
                    }
                    mine[n++] = took;
                  }
                  latencies[client] = Arrays.copyOf(mine, n);
                });
      }
      for (Future<?> f : futures) {
        f.get();
      }
      long wall = System.nanoTime() - started;
      long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
      return new Phase(all, failures.get(), wall);
    } finally {
      pool.shutdownNow();
    }
  }

  /** A customer signs up and logs in (new device) through the gateway; answers the token. */
  private String login() throws Exception {
    String email = "bench-" + UUID.randomUUID() + "@bench.tpwallet.io";
    String password = "bench-" + UUID.randomUUID();
    post(
        gateway + "/v1/accounts/customers",
        "{\"displayName\":\"bench\",\"email\":\"%s\",\"password\":\"%s\"}"
            .formatted(email, password),
        null,
        null,
        201);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    ECPublicKey key = (ECPublicKey) generator.generateKeyPair().getPublic();
    String body =
        ("{\"email\":\"%s\",\"password\":\"%s\",\"deviceName\":\"bench\",\"devicePublicJwk\":"
                + "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}}")
            .formatted(
                email,
                password,
                Demo.coordinate(key.getW().getAffineX()),
                Demo.coordinate(key.getW().getAffineY()));
    String answer = post(gateway + "/v1/accounts/sessions", body, null, null, 201);
    return json.readTree(answer).get("accessToken").asString();
  }

  /** A payment of the driver's customer (between two made-up accounts: it ends FAILED, fine). */
  private String pay(String token) throws Exception {
    String body =
        "{\"payerAccountId\":\"%s\",\"payeeAccountId\":\"%s\",\"amount\":\"1\",\"asset\":\"USD\"}"
            .formatted(UUID.randomUUID(), UUID.randomUUID());
    String answer = post(gateway + "/v1/payments", body, token, "bench-" + UUID.randomUUID(), 202);
    return json.readTree(answer).get("id").asString();
  }

  private String post(String url, String body, String token, String key, int expected)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new IllegalStateException(
          "POST " + url + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  private static URI loopback(String url) {
    URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    if (!"127.0.0.1".equals(uri.getHost()) && !"localhost".equals(uri.getHost())) {
      throw new IllegalArgumentException("GatewayLoad runs on loopback only, not " + uri.getHost());
    }
    return uri;
  }

  private static int bounded(String value, int min, int max, String what) {
    int n = Integer.parseInt(value);
    if (n < min || n > max) {
      throw new IllegalArgumentException(what + " must be " + min + ".." + max + ": " + n);
    }
    return n;
  }
}
