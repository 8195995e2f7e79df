package io.tpwallet.migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The migrate CLI's parsing, rendering and exit codes, against a stub of the runner's API. */
class MigrateCliTests {

  private static final String JOB = "01a237d5-9b4f-72e5-b3f8-c00796973c1f";

  @TempDir Path dir;
  private HttpServer runner;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void stub() throws Exception {
    runner = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    runner.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String path = exchange.getRequestURI().toString();
          requests.add(exchange.getRequestMethod() + " " + path + " " + body);
          int status = 200;
          String answer = "{\"id\":\"" + JOB + "\",\"phase\":\"STREAMING\"}";
          String type = "application/json";
          if (path.endsWith("/resync") && !body.contains("transactions")) {
            status = 400;
            type = "application/problem+json";
            answer =
                "{\"type\":\"https://tpwallet.io/problems/validation\",\"title\":\"Invalid"
                    + " migration\",\"status\":400,\"detail\":\"table must be one of [users,"
                    + " wallets, transactions]\"}";
          } else if (path.contains("/report")) {
            answer = "{\"clean\":false,\"accountsChecked\":3,\"mismatches\":[{}]}";
          } else if (path.equals("/v1/migrations")) {
            status = 201;
          }
          byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", type);
          exchange.sendResponseHeaders(status, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    runner.start();
  }

  @AfterEach
  void stop() {
    runner.stop(0);
  }

  private String last() {
    return requests.get(requests.size() - 1);
  }

  private int run(String... args) {
    return run(
        Map.of(
            "TPW_MIGRATION_URL",
            "http://127.0.0.1:" + runner.getAddress().getPort(),
            "TPW_MIGRATION_JOB_FILE",
            dir.resolve("job").toString(),
            "TPW_PG_USER",
            "legacy_reader"),
        args);
  }

  private int run(Map<String, String> env, String... args) {
    return MigrateCli.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void createSendsTheJobAndRemembersItsIdForTheNextCommands() throws Exception {
    assertThat(
            run(
                "create",
                "--name",
                "rehearsal",
                "--url",
                "jdbc:postgresql://127.0.0.1:5432/legacy_wallet",
                "--dry-run"))
        .isZero();
    assertThat(requests.get(0))
        .startsWith("POST /v1/migrations ")
        .contains("\"name\":\"rehearsal\"")
        .contains("\"user\":\"legacy_reader\"")
        .contains("\"dryRun\":true")
        .contains("\"legacyZone\":\"Asia/Shanghai\"");
    assertThat(Files.readString(dir.resolve("job")).strip()).isEqualTo(JOB);
    assertThat(run("start")).isZero();
    assertThat(last()).startsWith("POST /v1/migrations/" + JOB + "/start");
    assertThat(run("cutover", "--method", "EXTERNAL")).isZero();
    assertThat(last()).contains("/cutover").contains("\"freezeMethod\":\"EXTERNAL\"");
  }

  @Test
  void aProblemAnswerIsPrintedWithItsFieldsAndExits3() {
    assertThat(run("resync", JOB, "--table", "accounts")).isEqualTo(MigrateCli.EXIT_PROBLEM);
    assertThat(err.toString())
        .contains("HTTP 400 Invalid migration")
        .contains("table must be one of [users, wallets, transactions]")
        .contains("type: https://tpwallet.io/problems/validation");
    assertThat(run("resync", JOB, "--table", "transactions")).isZero();
    assertThat(last())
        .isEqualTo("POST /v1/migrations/" + JOB + "/resync {\"table\":\"transactions\"}");
  }

  @Test
  void validateExits5WhenTheReportIsNotClean() {
    assertThat(run("validate", JOB)).isEqualTo(MigrateCli.EXIT_NOT_CLEAN);
    assertThat(out.toString()).contains("NOT clean: 3 wallets checked").contains("1 mismatches");
    assertThat(last()).contains("/report?ledger=true&waitSeconds=30");
  }

  @Test
  void badUsageExits2WithTheReason() {
    assertThat(run("resync", JOB)).isEqualTo(2);
    assertThat(err.toString()).contains("--table");
    assertThat(run("status")).isEqualTo(2);
    assertThat(err.toString()).contains("none created yet");
    assertThat(run("status", "not-a-uuid")).isEqualTo(2);
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(requests).isEmpty();
  }

  @Test
  void anUnreachableRunnerExits4() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThat(run(Map.of("TPW_MIGRATION_URL", "http://127.0.0.1:" + closed), "status", JOB))
        .isEqualTo(MigrateCli.EXIT_UNREACHABLE);
    assertThat(err.toString()).contains("does not answer");
  }

  @Test
  void theProgressLineShowsPhaseBarRowsRateLagAndEta() {
    JsonMapper json = new JsonMapper();
    var snapshotting =
        json.readTree(
            "{\"phase\":\"SNAPSHOTTING\",\"rowsSnapshotted\":500,\"rowsTotal\":1000,"
                + "\"eventsStreamed\":0,\"eventsPerSecond\":12.4,\"lagMs\":null,"
                + "\"etaSeconds\":125}");
    assertThat(Progress.line(snapshotting))
        .startsWith("SNAPSHOTTING")
        .contains("[" + "#".repeat(15) + " ".repeat(15) + "]  50%")
        .contains("rows 500/1000")
        .contains("(12/s)")
        .contains("lag - ms")
        .contains("eta 2m05s");
    assertThat(Progress.still(snapshotting)).isFalse();
    var streaming =
        json.readTree(
            "{\"phase\":\"STREAMING\",\"rowsSnapshotted\":1000,\"rowsTotal\":990,"
                + "\"snapshotCompletedAt\":\"2026-12-02T17:00:00Z\",\"eventsStreamed\":42,"
                + "\"lagMs\":180}");
    assertThat(Progress.line(streaming))
        .contains("100%")
        .contains("events 42")
        .contains("lag 180 ms");
    assertThat(Progress.still(json.readTree("{\"phase\":\"PAUSED\"}"))).isTrue();
    assertThat(Progress.line(json.readTree("{\"phase\":\"CREATED\"}"))).contains("rows 0/-");
  }
}
