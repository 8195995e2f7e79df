package io.tpwallet.migration.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.migration.legacy.LegacySchema;
import io.tpwallet.migration.transform.LegacyIds;
import io.tpwallet.testkit.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The runner's REST API and a legacy PostgreSQL database, as the job ITs use them. */
final class JobApi {

  private final int port;
  private final JsonMapper json;
  private final HttpClient http = HttpClient.newHttpClient();

  JobApi(int port, JsonMapper json) {
    this.port = port;
    this.json = json;
  }

  /** A fresh legacy database on the testkit's PostgreSQL, with the legacy schema. */
  static String legacyDatabase() throws Exception {
    String url = TestPostgres.freshDatabase("legacy");
    try (Connection c = connect(url)) {
      LegacySchema.createPostgres(c);
    }
    return url;
  }

  static Connection connect(String url) throws Exception {
    var server = TestPostgres.server();
    return DriverManager.getConnection(url, server.user(), server.password());
  }

  /** Creates a job over the legacy database (zone Asia/Shanghai) and answers its id. */
  UUID create(String legacyUrl, boolean dryRun) throws Exception {
    return create(legacyUrl, dryRun, LegacyIds.NAMESPACE);
  }

  /**
   * A job with its own id namespace: tests sharing one fake ledger each need one, or their legacy
   * databases' wallets would name the same ledger accounts.
   */
  UUID create(String legacyUrl, boolean dryRun, UUID idNamespace) throws Exception {
    var server = TestPostgres.server();
    String body =
        json.writeValueAsString(
            Map.of(
                "name",
                "legacy wallet",
                "source",
                Map.of("jdbcUrl", legacyUrl, "user", server.user(), "password", server.password()),
                "legacyZone",
                "Asia/Shanghai",
                "dryRun",
                dryRun,
                "idNamespace",
                idNamespace.toString()));
    var response = send("POST", "/v1/migrations", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return UUID.fromString(json.readTree(response.body()).path("id").asString());
  }

  HttpResponse<String> send(String method, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The body of a GET that must answer 200. */
  JsonNode get(String path) {
    try {
      var response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return json.readTree(response.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  JsonNode status(UUID job) {
    return get("/v1/migrations/" + job);
  }
}
