package io.tpwallet.gateway;

import static io.tpwallet.testkit.TestAccessTokens.claims;
import static io.tpwallet.testkit.TestAccessTokens.generate;
import static io.tpwallet.testkit.TestAccessTokens.sign;
import static io.tpwallet.testkit.TestAccessTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.tpwallet.testkit.TestAccessTokens;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway with authentication and rate limits on (the defaults), in front of a JDK HttpServer
 * that plays the backends; {@link TestAccessTokens} plays account-service's JWKS. Tokens are made
 * (and forged) here with nimbus-jose-jwt, the way an attacker would.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "tpw.gateway.rate-limit.principal.replenish-rate=1",
      "tpw.gateway.rate-limit.principal.burst-capacity=5",
      "tpw.gateway.rate-limit.ip.replenish-rate=1000",
      "tpw.gateway.rate-limit.ip.burst-capacity=2000",
    })
class GatewayAuthIT {

  static final ECKey KEY = TestAccessTokens.KEY;
  static final AtomicInteger backendCalls = new AtomicInteger();
  static final HttpServer server = start();

  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @LocalServerPort int port;

  @DynamicPropertySource
  static void routes(DynamicPropertyRegistry registry) {
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    registry.add("TPW_ROUTING_URL", () -> base);
    registry.add("TPW_LEDGER_URL", () -> base);
    registry.add("TPW_ACCOUNT_URL", () -> base);
    TestAccessTokens.register(registry, "tpw.gateway.auth");
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  @Test
  void aTokenWithTheRoutesScopeIsLetThroughAndForwarded() throws Exception {
    String token = token("alice", "payments:write payments:read", c -> {});
    HttpResponse<String> accepted = send("POST", "/v1/payments", token);
    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(accepted.body()).contains("\"authorization\":true");
    assertThat(send("GET", "/v1/payments/p-1", token).statusCode()).isEqualTo(200);
  }

  @Test
  void forgedMalformedOrStaleTokensAre401ProblemsAndNeverReachABackend() throws Exception {
    Instant now = Instant.now();
    Map<String, String> forged = new LinkedHashMap<>();
    forged.put("no token", null);
    forged.put("not a JWT", "abc.def.ghi");
    forged.put("alg none", new PlainJWT(claims("eve", "payments:write", now, c -> {})).serialize());
    SignedJWT hs =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256)
                .type(new JOSEObjectType("at+jwt"))
                .keyID(KEY.getKeyID())
                .build(),
            claims("eve", "payments:write", now, c -> {}));
    hs.sign(new MACSigner(sha256(KEY.toPublicJWK().toJSONString())));
    forged.put("HS256 keyed with the public key", hs.serialize());
    RSAKey rsa = new RSAKeyGenerator(2048).keyID(KEY.getKeyID()).generate();
    SignedJWT rs =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .type(new JOSEObjectType("at+jwt"))
                .keyID(KEY.getKeyID())
                .build(),
            claims("eve", "payments:write", now, c -> {}));
    rs.sign(new RSASSASigner(rsa));
    forged.put("RS256, not on the allowlist", rs.serialize());
    forged.put("wrong iss", token("eve", "payments:write", c -> c.issuer("https://evil.example")));
    forged.put("wrong aud", token("eve", "payments:write", c -> c.audience("another-api")));
    forged.put("no aud", token("eve", "payments:write", c -> c.audience(List.of())));
    forged.put("typ JWT", sign(KEY, "JWT", claims("eve", "payments:write", now, c -> {})));
    forged.put("no typ", sign(KEY, null, claims("eve", "payments:write", now, c -> {})));
    forged.put(
        "expired beyond the 60 s leeway",
        token(
            "eve",
            "payments:write",
            c ->
                c.issueTime(Date.from(now.minusSeconds(600)))
                    .notBeforeTime(Date.from(now.minusSeconds(600)))
                    .expirationTime(Date.from(now.minusSeconds(90)))));
    forged.put(
        "not yet valid",
        token("eve", "payments:write", c -> c.notBeforeTime(Date.from(now.plusSeconds(120)))));
    forged.put(
        "same kid, other key",
        sign(generate(KEY.getKeyID()), "at+jwt", claims("eve", "payments:write", now, c -> {})));
    forged.put(
        "unknown kid",
        sign(generate("k-unknown"), "at+jwt", claims("eve", "payments:write", now, c -> {})));

    int before = backendCalls.get();
    for (var e : forged.entrySet()) {
      HttpResponse<String> refused = send("POST", "/v1/payments", e.getValue());
      assertThat(refused.statusCode()).as(e.getKey()).isEqualTo(401);
      assertThat(refused.headers().firstValue("Content-Type"))
          .as(e.getKey())
          .hasValue("application/problem+json");
      assertThat(refused.body())
          .as(e.getKey())
          .contains("\"type\":\"https://tpwallet.io/problems/unauthorized\"");
      assertThat(refused.headers().firstValue("WWW-Authenticate"))
          .get()
          .asString()
          .startsWith("Bearer");
      assertThat(refused.headers().firstValue("X-Request-Id")).isPresent();
    }
    assertThat(backendCalls.get()).isEqualTo(before);

    // Just inside the leeway is still accepted.
    String late =
        token(
            "eve",
            "payments:write",
            c ->
                c.issueTime(Date.from(now.minusSeconds(330)))
                    .notBeforeTime(Date.from(now.minusSeconds(330)))
                    .expirationTime(Date.from(now.minusSeconds(30))));
    assertThat(send("POST", "/v1/payments", late).statusCode()).isEqualTo(202);
  }

  @Test
  void aTokenWithoutTheRoutesScopeIs403() throws Exception {
    String reader = token("bob", "payments:read", c -> {});
    HttpResponse<String> post = send("POST", "/v1/payments", reader);
    assertThat(post.statusCode()).isEqualTo(403);
    assertThat(post.body()).contains("\"type\":\"https://tpwallet.io/problems/forbidden\"");
    assertThat(post.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer error=\"insufficient_scope\"");
    assertThat(send("GET", "/v1/ledger/accounts/a-1", reader).statusCode()).isEqualTo(403);
    String ledger = token("bob", "ledger:read", c -> {});
    assertThat(send("GET", "/v1/ledger/accounts/a-1", ledger).statusCode()).isEqualTo(200);
    assertThat(send("POST", "/v1/ledger/transfers", ledger).statusCode()).isEqualTo(403);
    assertThat(send("GET", "/v1/payments/p-1", ledger).statusCode()).isEqualTo(403);
  }

  @Test
  void signUpLoginAndTokenEndpointsAndProbesNeedNoToken() throws Exception {
    assertThat(send("POST", "/v1/accounts/customers", null).statusCode()).isEqualTo(202);
    assertThat(send("POST", "/v1/accounts/sessions", null).statusCode()).isEqualTo(202);
    assertThat(send("POST", "/v1/accounts/oauth2/token", null).statusCode()).isEqualTo(202);
    assertThat(send("GET", "/v1/accounts/customers/c-1", null).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/actuator/health/readiness", null).statusCode()).isEqualTo(200);
  }

  @Test
  void tenTimesTheQuotaFromOnePrincipalIs429WhileAnotherIsStillServed() throws Exception {
    String greedy = token("greedy-" + UUID.randomUUID(), "payments:read", c -> {});
    int ok = 0;
    HttpResponse<String> limited = null;
    long started = System.nanoTime();
    for (int i = 0; i < 50; i++) {
      HttpResponse<String> r = send("GET", "/v1/payments/p-" + i, greedy);
      if (r.statusCode() == 200) {
        ok++;
      } else {
        assertThat(r.statusCode()).isEqualTo(429);
        limited = r;
      }
    }
    // The burst of 5, plus what refilled (1/s) while the loop ran, however slow the machine.
    long seconds = (System.nanoTime() - started) / 1_000_000_000L + 1;
    assertThat(ok).isBetween(5, (int) Math.min(45, 5 + seconds));
    assertThat(limited).isNotNull();
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(limited.body())
        .contains("\"type\":\"https://tpwallet.io/problems/too-many-requests\"");
    assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");

    String modest = token("modest-" + UUID.randomUUID(), "payments:read", c -> {});
    assertThat(send("GET", "/v1/payments/p-1", modest).statusCode()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- helpers

  HttpResponse<String> send(String method, String path, String token) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(
                method,
                method.equals("GET") ? BodyPublishers.noBody() : BodyPublishers.ofString("{}"))
            .timeout(java.time.Duration.ofSeconds(15))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", UUID.randomUUID().toString());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return client.send(request.build(), BodyHandlers.ofString());
    } catch (java.net.http.HttpTimeoutException e) {
      // The gateway runs in this JVM: show where it is stuck.
      Thread.getAllStackTraces()
          .forEach(
              (t, stack) -> {
                System.err.println("THREAD " + t.getName() + " " + t.getState());
                for (StackTraceElement frame : stack) {
                  System.err.println("    at " + frame);
                }
              });
      throw e;
    }
  }

  static byte[] sha256(String s) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
  }

  static HttpServer start() {
    try {
      HttpServer s =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      s.createContext(
          "/",
          exchange -> {
            backendCalls.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            boolean auth = exchange.getRequestHeaders().getFirst("Authorization") != null;
            byte[] body =
                ("{\"path\":\""
                        + exchange.getRequestURI().getPath()
                        + "\",\"authorization\":"
                        + auth
                        + "}")
                    .getBytes(StandardCharsets.UTF_8);
            int status = exchange.getRequestMethod().equals("GET") ? 200 : 202;
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      s.start();
      return s;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
