package io.tpwallet.gateway.grayrelease;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tpwallet.gateway.grayrelease.GrayRelease.Side;
import io.tpwallet.testkit.TestAccessTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The split seen from outside: two JDK HttpServers answer "new" and "legacy"; the percentage and
 * the lists change through the admin endpoint, and each user's payments land where {@link
 * GrayRelease} says, every time.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "tpw.gateway.gray-release.enabled=true")
class GrayReleaseIT {

  static final HttpServer newSide = answering("new");
  static final HttpServer legacySide = answering("legacy");
  static final Path stateDir = temporaryDirectory();

  final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @LocalServerPort int port;
  @Autowired GrayReleaseStore store;

  @DynamicPropertySource
  static void routes(DynamicPropertyRegistry registry) {
    registry.add("TPW_ROUTING_URL", () -> "http://127.0.0.1:" + newSide.getAddress().getPort());
    registry.add("TPW_LEGACY_URL", () -> "http://127.0.0.1:" + legacySide.getAddress().getPort());
    registry.add("TPW_GATEWAY_STATE_DIR", stateDir::toString);
    TestAccessTokens.register(registry, "tpw.gateway.auth");
  }

  @AfterAll
  static void stop() {
    newSide.stop(0);
    legacySide.stop(0);
  }

  @Test
  void usersStickToTheirSideAndRaisingThePercentageOnlyMovesLegacyUsers() throws Exception {
    assertThat(put("{\"percent\":20,\"allow\":[\"user-vip\"],\"deny\":[\"user-3\"]}").statusCode())
        .isEqualTo(200);
    GrayRelease at20 = new GrayRelease(20, Set.of("user-vip"), Set.of("user-3"));
    assertThat(store.current()).isEqualTo(at20);

    int onNew = 0;
    for (int i = 0; i < 100; i++) {
      String user = "user-" + i;
      String side = payAs(user);
      assertThat(side).as(user).isEqualTo(expected(at20, user));
      assertThat(payAs(user)).as(user + " again").isEqualTo(side);
      onNew += side.equals("new") ? 1 : 0;
    }
    assertThat(payAs("user-vip")).isEqualTo("new");
    assertThat(payAs("user-3")).isEqualTo("legacy");
    assertThat(onNew).isBetween(5, 40);

    assertThat(put("{\"percent\":50,\"deny\":[\"user-3\"]}").statusCode()).isEqualTo(200);
    for (int i = 0; i < 100; i++) {
      String user = "user-" + i;
      if (expected(at20, user).equals("new")) {
        assertThat(payAs(user)).as(user).isEqualTo("new");
      }
    }
    assertThat(payAs("user-3")).isEqualTo("legacy");
    assertThat(Files.readAllLines(stateDir.resolve("gray-release-audit.log"))).hasSize(2);
  }

  @Test
  void aRequestWithoutAUserStaysOnLegacyAndABadSettingChangesNothing() throws Exception {
    GrayRelease before = store.current();

    HttpResponse<String> refused = put("{\"percent\":101}");
    HttpResponse<String> badUser = put("{\"percent\":10,\"allow\":[\"a b\"]}");

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(badUser.statusCode()).isEqualTo(400);
    assertThat(store.current()).isEqualTo(before);
    HttpResponse<String> anonymous =
        client.send(
            HttpRequest.newBuilder(uri("/v1/payments")).timeout(Duration.ofSeconds(15)).build(),
            BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    HttpResponse<String> userToken =
        client.send(
            HttpRequest.newBuilder(uri("/admin/gray-release"))
                .header(
                    "Authorization", "Bearer " + TestAccessTokens.token("user-1", "payments:read"))
                .header("Content-Type", "application/json")
                .PUT(BodyPublishers.ofString("{\"percent\":100}"))
                .timeout(Duration.ofSeconds(15))
                .build(),
            BodyHandlers.ofString());
    assertThat(userToken.statusCode()).isEqualTo(403);
    assertThat(store.current()).isEqualTo(before);
  }

  private static String expected(GrayRelease release, String user) {
    return release.sideOf(user) == Side.NEW ? "new" : "legacy";
  }

  private String payAs(String user) throws Exception {
    HttpResponse<String> answer =
        client.send(
            HttpRequest.newBuilder(uri("/v1/payments/p-1?x=1"))
                // The user is the verified token's subject; the header is only read with auth off.
                .header("Authorization", "Bearer " + TestAccessTokens.token(user, "payments:read"))
                .header("X-TPW-User", "user-vip")
                .timeout(Duration.ofSeconds(15))
                .build(),
            BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    return answer.body();
  }

  private HttpResponse<String> put(String json) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri("/admin/gray-release"))
            .header("Authorization", "Bearer " + TestAccessTokens.token("ops-1", "admin:gateway"))
            .header("Content-Type", "application/json")
            .PUT(BodyPublishers.ofString(json))
            .timeout(Duration.ofSeconds(15))
            .build(),
        BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static HttpServer answering(String name) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext(
          "/v1/payments",
          exchange -> {
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createTempDirectory("gray-release-it");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
