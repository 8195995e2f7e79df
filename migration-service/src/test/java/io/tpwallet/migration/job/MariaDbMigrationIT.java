package io.tpwallet.migration.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.event.Envelope;
import io.tpwallet.migration.cdc.ChangeEvent;
import io.tpwallet.migration.legacy.Anomaly;
import io.tpwallet.migration.legacy.LegacySchema;
import io.tpwallet.migration.legacy.LegacySeeder;
import io.tpwallet.migration.legacy.LegacyWriter;
import io.tpwallet.migration.legacy.TestMariaDb;
import io.tpwallet.migration.transform.LegacyIds;
import io.tpwallet.testkit.Infrastructure;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
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
 * The job runner on a MariaDB legacy wallet (the machine's MariaDB with its ROW/FULL binlog, a
 * database of its own per test): the consistent snapshot, then the binlog stream, through a crash
 * mid-snapshot and one mid-stream; every legacy row posted once or refused with its reason; the
 * reconciliation against the (fake) ledger's balances clean; the cutover freezes legacy with
 * triggers, drains, reconciles and switches; the rollback leaves legacy as the runner found it.
 * Skipped, with the reason, when no MariaDB answers on 3306.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MariaDbMigrationIT {

  private static final ZoneId LEGACY_ZONE = ZoneId.of("Asia/Shanghai");
  private static final Duration WAIT_MAX = Duration.ofSeconds(40);
  private static final FakeLedger LEDGER = new FakeLedger();

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "migration");
    registry.add("tpw.outbox.poll-interval", () -> "50ms");
    registry.add("tpw.ledger.url", LEDGER::url);
  }

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired JobRunner runner;
  @Autowired Envelope envelope;
  @Autowired JsonMapper json;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aMariaDbWalletMovesOverOnceThroughCrashesReconcilesCutsOverAndRollsBack() throws Exception {
    try (TestMariaDb maria = TestMariaDb.fresh()) {
      LegacySeeder.Seeded seeded;
      try (Connection legacy = maria.connect()) {
        LegacySchema.create(legacy);
        seeded = LegacySeeder.seed(legacy, new LegacySeeder.Plan(30, 2_500, 11, 2));
      }
      UUID job = create(maria.url());
      try (AutoCloseable ledger = LEDGER.post(job, envelope)) {
        // Crash after the first snapshot batch committed, before its offsets were stored.
        runner.injectFault(job, JobRunner.FaultPoint.AFTER_COMMIT, ChangeEvent::fromSnapshot);
        assertThat(post("/v1/migrations/" + job + "/start", "").statusCode()).isEqualTo(202);
        awaitTrue(
            () -> "FAILED".equals(status(job).path("phase").asString()), "crash mid-snapshot");
        assertThat(post("/v1/migrations/" + job + "/resume", "").statusCode()).isEqualTo(202);
        awaitTrue(() -> status(job).path("snapshotCompletedAt").isString(), "snapshot completed");
        assertThat(status(job).path("rowsTotal").asLong())
            .isEqualTo(30 + seeded.wallets() + seeded.transactions());

        // Streamed from the binlog: a deposit, a transfer, a pending deposit confirmed, a bad
        // scale deposit, a reversal after posting; then a crash mid-stream and writes while down.
        List<Long> written = new ArrayList<>();
        long deposit;
        long badScale;
        try (Connection legacy = maria.connect();
            var st = legacy.createStatement()) {
          var writer = new LegacyWriter(legacy, Clock.systemUTC(), LEGACY_ZONE);
          deposit = writer.deposit(1, new BigDecimal("25.00"));
          written.add(writer.transfer(1, 2, new BigDecimal("5.5")));
          long pending = writer.pendingDeposit(2, new BigDecimal("3"));
          writer.confirm(pending);
          written.add(pending);
          badScale = writer.deposit(2, new BigDecimal("0.001"));
          st.execute("update wallets set balance = balance - 0.001 where id = 2");
          st.execute("update transactions set status_code = 3 where id = " + deposit);
          st.execute("update wallets set balance = balance - 25 where id = 1");
          awaitTrue(() -> "REVERSED".equals(txState(job, deposit)), "reversal streamed");
          runner.injectFault(
              job, JobRunner.FaultPoint.AFTER_COMMIT, e -> e.op() == ChangeEvent.Op.CREATE);
          written.add(writer.deposit(3, new BigDecimal("10")));
          awaitTrue(
              () -> "FAILED".equals(status(job).path("phase").asString()), "crash mid-stream");
          for (int i = 0; i < 10; i++) {
            written.add(writer.deposit(1 + i % 3, new BigDecimal("1.25")));
          }
        }
        assertThat(post("/v1/migrations/" + job + "/resume", "").statusCode()).isEqualTo(202);
        awaitTrue(
            () -> written.stream().allMatch(id -> "POSTED".equals(txState(job, id))),
            "every live write posted");
        assertThat(txState(job, badScale)).isEqualTo("REFUSED");

        // Every legacy row that moved money has exactly one command, or is refused with a reason.
        Map<String, UUID> commands = commands(job);
        Set<String> refused = failureKeys(job);
        try (Connection legacy = maria.connect();
            var rs =
                legacy
                    .createStatement()
                    .executeQuery(
                        "select id from transactions where status_code = 1 or id = " + deposit)) {
          while (rs.next()) {
            String key = LegacyIds.key("transactions", rs.getLong(1));
            assertThat(commands.containsKey(key) || refused.contains(key.substring(7)))
                .as(key)
                .isTrue();
          }
        }
        assertThat(commands).containsKey(LegacyIds.reversalKey("transactions", deposit));
        commands.forEach((key, id) -> assertThat(id).isEqualTo(LegacyIds.DEFAULT.transferId(key)));

        // The reconciliation against the ledger's balances: settled, clean, anomalies explained.
        JsonNode report = get("/v1/migrations/" + job + "/report?ledger=true&waitSeconds=30");
        JobTables.assertLedgerAgreesWithLegacy(report);
        assertThat(report.path("clean").asBoolean()).isTrue();
        Map<String, String> reasons = new HashMap<>();
        report
            .path("failures")
            .forEach(
                f ->
                    reasons.put(
                        f.path("table").asString() + ":" + f.path("pk").asString(),
                        f.path("reason").asString()));
        Map<Anomaly, String> expected =
            Map.of(
                Anomaly.BAD_SCALE, "amount-scale-exceeds-asset",
                Anomaly.DUPLICATE, "duplicate",
                Anomaly.ORPHAN, "orphan-wallet");
        expected.forEach(
            (anomaly, reason) ->
                seeded
                    .injected()
                    .get(anomaly)
                    .forEach(k -> assertThat(reasons).as(anomaly.name()).containsEntry(k, reason)));
        assertThat(reasons).containsEntry("transactions:" + badScale, "amount-scale-exceeds-asset");
        Set<String> suspense = new HashSet<>();
        report
            .path("suspense")
            .forEach(s -> suspense.add(s.path("wallet").asString().replace("legacy:", "")));
        assertThat(suspense).containsAll(seeded.injected().get(Anomaly.BALANCE_DRIFT));
        var page =
            http.send(
                HttpRequest.newBuilder(uri("/v1/migrations/" + job + "/report.html?ledger=true"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body())
            .contains("<strong>Clean</strong>", "Legacy against ledger-service")
            .contains(expected.values())
            .contains("transactions:" + badScale);

        // Cutover: frozen by triggers, drained, reconciled, switched; legacy writes refused.
        var cut =
            post("/v1/migrations/" + job + "/cutover", "{\"freezeMethod\":\"TRIGGER\"}").body();
        JsonNode attempt = json.readTree(cut);
        assertThat(attempt.path("status").asString()).as(cut).isEqualTo("SWITCHED");
        assertThat(attempt.path("frozenMs").asLong()).isPositive().isLessThan(10_000);
        assertThat(status(job).path("phase").asString()).isEqualTo("CUT_OVER");
        assertThat(legacyDeposit(maria)).contains("frozen");

        // Rollback: no trigger left on legacy, writes accepted and streamed again.
        var back = json.readTree(post("/v1/migrations/" + job + "/rollback", "").body());
        assertThat(back.path("status").asString()).isEqualTo("ROLLED_BACK");
        assertThat(status(job).path("phase").asString()).isEqualTo("STREAMING");
        try (Connection legacy = maria.connect();
            var rs =
                legacy
                    .createStatement()
                    .executeQuery(
                        "select count(*) from information_schema.triggers where trigger_schema = '"
                            + maria.database()
                            + "'")) {
          rs.next();
          assertThat(rs.getLong(1)).as("triggers left on legacy").isZero();
        }
        assertThat(legacyDeposit(maria)).isEqualTo("ok");
        long last;
        try (Connection legacy = maria.connect();
            var rs = legacy.createStatement().executeQuery("select max(id) from transactions")) {
          rs.next();
          last = rs.getLong(1);
        }
        awaitTrue(() -> "POSTED".equals(txState(job, last)), "a write after the rollback posted");
      } finally {
        if (runner.isRunning(job)) {
          runner.pause(job);
        }
      }
    }
  }

  @Test
  void aSourceThatIsNeitherPostgresNorMariaDbOrABadNamespaceIsRefusedAndCreatesNoJob()
      throws Exception {
    long before = jdbc.sql("select count(*) from migration_job").query(Long.class).single();
    for (String body :
        List.of(
            "{\"name\":\"x\",\"source\":{\"jdbcUrl\":\"jdbc:oracle:thin:@127.0.0.1:1521/x\"}}",
            "{\"name\":\"x\",\"source\":{\"jdbcUrl\":\"jdbc:mariadb://127.0.0.1:3306/x\"},"
                + "\"idNamespace\":\"not-a-uuid\"}")) {
      var response = post("/v1/migrations", body);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/problem+json");
      assertThat(response.body()).containsAnyOf("jdbc:mariadb://", "idNamespace");
    }
    assertThat(jdbc.sql("select count(*) from migration_job").query(Long.class).single())
        .isEqualTo(before);
  }

  /** A legacy deposit as the legacy app writes one: "ok", or the database's refusal. */
  private static String legacyDeposit(TestMariaDb maria) {
    try (Connection legacy = maria.connect();
        var st = legacy.createStatement()) {
      legacy.setAutoCommit(false);
      st.execute(
          "insert into transactions (wallet_id, kind, amount, status_code, created_at, updated_at)"
              + " values (1, 'DEP', 1, 1, now(), now())");
      st.execute("update wallets set balance = balance + 1 where id = 1");
      legacy.commit();
      return "ok";
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  // --- helpers -----------------------------------------------------------------------------

  private UUID create(String legacyUrl) throws Exception {
    String body =
        json.writeValueAsString(
            Map.of(
                "name",
                "legacy wallet on MariaDB",
                "source",
                Map.of("jdbcUrl", legacyUrl, "user", "root", "password", ""),
                "legacyZone",
                LEGACY_ZONE.getId()));
    var response = post("/v1/migrations", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return UUID.fromString(json.readTree(response.body()).path("id").asString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(120))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(String path) {
    try {
      var response =
          http.send(
              HttpRequest.newBuilder(uri(path)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return json.readTree(response.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode status(UUID job) {
    return get("/v1/migrations/" + job);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private String txState(UUID job, long txId) {
    return JobTables.txState(jdbc, job, txId);
  }

  private Map<String, UUID> commands(UUID job) {
    return JobTables.commands(jdbc, job);
  }

  private Set<String> failureKeys(UUID job) {
    return JobTables.failureKeys(jdbc, job);
  }

  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    JobTables.awaitTrue(condition, what, WAIT_MAX);
  }
}
