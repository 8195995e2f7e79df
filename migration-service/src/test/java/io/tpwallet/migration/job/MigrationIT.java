package io.tpwallet.migration.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudevents.CloudEvent;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferRequested;
import io.tpwallet.common.event.TransfersRequested;
import io.tpwallet.migration.cdc.ChangeEvent;
import io.tpwallet.migration.legacy.Anomaly;
import io.tpwallet.migration.legacy.LegacySeeder;
import io.tpwallet.migration.legacy.LegacyWriter;
import io.tpwallet.migration.transform.LegacyIds;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.KafkaProbe;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
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
 * The job runner end to end on a real legacy PostgreSQL (the testkit's server, wal_level=logical)
 * and Kafka. ledger-service does not run here: the tests check the TransferRequested commands on
 * Kafka and the runner's own tables, which is what the ledger would apply (it applies a transfer id
 * at most once).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MigrationIT {

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
  void snapshotThenStreamPostEachLegacyTransactionOnceAndReportEveryAnomaly() throws Exception {
    String legacyUrl = legacyDatabase();
    LegacySeeder.Seeded seeded;
    try (Connection legacy = connect(legacyUrl)) {
      seeded = LegacySeeder.seed(legacy, new LegacySeeder.Plan(30, 200, 11, 2));
    }
    UUID job = create(legacyUrl, false);
    assertThat(post("/v1/migrations/" + job + "/start").statusCode()).isEqualTo(202);
    awaitTrue(() -> status(job).path("snapshotCompletedAt").isString(), "snapshot completed");
    assertThat(status(job).path("rowsTotal").asLong())
        .isEqualTo(30 + seeded.wallets() + seeded.transactions());

    // Live legacy traffic after the snapshot: streamed and mapped as it comes.
    long deposit;
    long transfer;
    long pending;
    long badScale;
    try (Connection legacy = connect(legacyUrl)) {
      var writer = new LegacyWriter(legacy, Clock.systemUTC(), LEGACY_ZONE);
      deposit = writer.deposit(1, new BigDecimal("25.00"));
      transfer = writer.transfer(1, 2, new BigDecimal("5.5"));
      pending = writer.pendingDeposit(2, new BigDecimal("3"));
      writer.confirm(pending);
      badScale = writer.deposit(2, new BigDecimal("0.001"));
      try (var st = legacy.createStatement()) {
        // The legacy operator reverses the streamed deposit (status 3) and takes the money back.
        st.execute("update transactions set status_code = 3 where id = " + deposit);
        st.execute("update wallets set balance = balance - 25 where id = 1");
      }
    }
    awaitTrue(
        () -> "REVERSED".equals(txState(job, deposit)) && txState(job, badScale) != null,
        "streamed changes applied");
    assertThat(txState(job, transfer)).isEqualTo("POSTED");
    assertThat(txState(job, pending)).isEqualTo("POSTED");
    assertThat(txState(job, badScale)).isEqualTo("REFUSED");
    // The bad-scale live deposit moved the legacy balance by 0.001: not representable.
    try (Connection legacy = connect(legacyUrl);
        var st = legacy.createStatement()) {
      st.execute("update wallets set balance = balance - 0.001 where id = 2");
    }
    awaitTrue(
        () ->
            jdbc.sql("select balance from legacy_wallet where job_id = ? and wallet_id = 2")
                .param(job)
                .query(String.class)
                .single()
                .matches("-?[0-9]+(\\.[0-9]{0,2}0*)?"),
        "wallet 2 balance streamed back to a representable value");

    // Every legacy row that moved money has exactly one command, under its own key and id.
    Map<String, UUID> commands = commands(job);
    Set<String> expected = new HashSet<>();
    try (Connection legacy = connect(legacyUrl);
        var st = legacy.createStatement();
        // Status 3 rows of the seed were reversed before the migration: they moved no money.
        var rs =
            st.executeQuery(
                "select id from transactions where status_code = 1 or id = " + deposit)) {
      while (rs.next()) {
        expected.add(LegacyIds.key("transactions", rs.getLong(1)));
      }
    }
    Set<String> refused = failureKeys(job);
    Set<String> posted =
        commands.keySet().stream()
            .filter(k -> k.matches("legacy:transactions:\\d+"))
            .collect(Collectors.toSet());
    Set<String> missing = new HashSet<>(expected);
    missing.removeAll(posted);
    refused.forEach(r -> missing.remove("legacy:" + r));
    assertThat(missing).as("legacy rows neither posted nor refused").isEmpty();
    assertThat(commands.get(LegacyIds.reversalKey("transactions", deposit)))
        .isEqualTo(LegacyIds.DEFAULT.transferId("legacy:transactions:" + deposit + ":reversal"));
    commands.forEach((key, id) -> assertThat(id).isEqualTo(LegacyIds.DEFAULT.transferId(key)));

    // On Kafka: one TransferRequested per command, none twice.
    assertEachPublishedOnce(job, commands);

    // Every injected anomaly is in the report with its reason.
    JsonNode report = report(job);
    Map<String, String> reasons = new HashMap<>();
    report
        .path("failures")
        .forEach(
            f ->
                reasons.put(
                    f.path("table").asString() + ":" + f.path("pk").asString(),
                    f.path("reason").asString()));
    seeded
        .injected()
        .get(Anomaly.BAD_SCALE)
        .forEach(k -> assertThat(reasons).containsEntry(k, "amount-scale-exceeds-asset"));
    seeded
        .injected()
        .get(Anomaly.DUPLICATE)
        .forEach(k -> assertThat(reasons).containsEntry(k, "duplicate"));
    seeded
        .injected()
        .get(Anomaly.ORPHAN)
        .forEach(k -> assertThat(reasons).containsEntry(k, "orphan-wallet"));
    assertThat(reasons).containsEntry("transactions:" + badScale, "amount-scale-exceeds-asset");
    Set<String> suspense = new HashSet<>();
    report
        .path("suspense")
        .forEach(s -> suspense.add(s.path("wallet").asString().replace("legacy:", "")));
    assertThat(suspense).containsAll(seeded.injected().get(Anomaly.BALANCE_DRIFT));
    assertThat(report.path("mismatches").size()).as(report.path("mismatches").toString()).isZero();
    assertThat(report.path("accountsMatching").asInt())
        .isEqualTo(report.path("accountsChecked").asInt());

    // The stored progress is on /actuator/prometheus, per job.
    long rows = status(job).path("rowsSnapshotted").asLong();
    awaitTrue(
        () -> metric("tpw_migration_rows_snapshotted", job) == rows,
        "rows snapshotted on /actuator/prometheus");
    assertThat(metric("tpw_migration_failures", job))
        .isEqualTo((double) report.path("failureCount").asLong());
    assertThat(metric("tpw_migration_events_total", job)).isPositive();
    assertThat(metric("tpw_migration_lag_ms", job)).isNotNegative();
    awaitTrue(() -> status(job).path("eventsPerSecond").isNumber(), "events/s in the status");

    assertThat(post("/v1/migrations/" + job + "/pause").statusCode()).isEqualTo(200);
    assertThat(status(job).path("phase").asString()).isEqualTo("PAUSED");
  }

  /** One per-job sample from /actuator/prometheus, NaN when absent. */
  private double metric(String name, UUID job) {
    var sample =
        java.util.regex.Pattern.compile(
                "(?m)^" + name + "\\{[^}]*job=\"" + job + "\"[^}]*\\} (\\S+)$")
            .matcher(body("/actuator/prometheus"));
    return sample.find() ? Double.parseDouble(sample.group(1)) : Double.NaN;
  }

  @Test
  void aRunnerThatCrashesMidSnapshotAndMidStreamResumesWithNoDuplicateAndNoGap() throws Exception {
    String legacyUrl = legacyDatabase();
    try (Connection legacy = connect(legacyUrl)) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(20, 120, 5, 0));
    }
    UUID job = create(legacyUrl, false);
    // Crash after the first snapshot batch committed but before its offsets were stored. With
    // 120 rows that batch is at times the whole snapshot: then Debezium reads the snapshot again
    // on resume. Before the job followed the stored offsets it said "complete" at once, the first
    // deposit below could be taken by that re-read as a snapshot row instead of streamed as an
    // insert, the mid-stream fault never matched and "crash mid-stream" timed out (~1 run in 8).
    runner.injectFault(job, JobRunner.FaultPoint.AFTER_COMMIT, ChangeEvent::fromSnapshot);
    runner.start(job);
    awaitTrue(() -> "FAILED".equals(status(job).path("phase").asString()), "crash mid-snapshot");
    assertThat(status(job).path("error").asString()).contains("injected fault");
    runner.resume(job);
    awaitTrue(() -> status(job).path("snapshotCompletedAt").isString(), "snapshot completed");

    // Mid-stream: crash after a streamed batch committed, write more while the runner is down.
    runner.injectFault(
        job, JobRunner.FaultPoint.AFTER_COMMIT, e -> e.op() == ChangeEvent.Op.CREATE);
    List<Long> written = new java.util.ArrayList<>();
    try (Connection legacy = connect(legacyUrl)) {
      var writer = new LegacyWriter(legacy, Clock.systemUTC(), LEGACY_ZONE);
      written.add(writer.deposit(1, new BigDecimal("10")));
      awaitTrue(() -> "FAILED".equals(status(job).path("phase").asString()), "crash mid-stream");
      for (int i = 0; i < 10; i++) {
        written.add(writer.deposit(1 + i % 3, new BigDecimal("1.25")));
      }
      // And once more through a pause and a resume over REST.
      assertThat(post("/v1/migrations/" + job + "/resume").statusCode()).isEqualTo(202);
      awaitTrue(() -> txState(job, written.get(written.size() - 1)) != null, "resumed stream");
      assertThat(post("/v1/migrations/" + job + "/pause").statusCode()).isEqualTo(200);
      for (int i = 0; i < 5; i++) {
        written.add(writer.transfer(1, 2, new BigDecimal("0.5")));
      }
      assertThat(post("/v1/migrations/" + job + "/resume").statusCode()).isEqualTo(202);
    }
    awaitTrue(
        () -> written.stream().allMatch(id -> "POSTED".equals(txState(job, id))),
        "every live write posted");

    Map<String, UUID> commands = commands(job);
    try (Connection legacy = connect(legacyUrl);
        var st = legacy.createStatement();
        var rs = st.executeQuery("select id from transactions where status_code = 1")) {
      Set<String> refused = failureKeys(job);
      while (rs.next()) {
        String key = LegacyIds.key("transactions", rs.getLong(1));
        assertThat(commands.containsKey(key) || refused.contains("transactions:" + rs.getLong(1)))
            .as(key)
            .isTrue();
      }
    }
    assertEachPublishedOnce(job, commands);
    JsonNode report = report(job);
    assertThat(report.path("mismatches").size()).as(report.path("mismatches").toString()).isZero();
    runner.pause(job);
  }

  @Test
  void aCrashAfterTheLastSnapshotBatchBeforeItsOffsetsReadsTheSnapshotAgainAndReversesOnce()
      throws Exception {
    String legacyUrl = legacyDatabase();
    // More rows than one CDC batch, so that offsets of the snapshot's first batches are stored.
    UUID job = seededJob(legacyUrl, new LegacySeeder.Plan(20, 2_500, 17, 0));
    withPostingLedger(
        job,
        () -> {
          // Crash after the batch holding the snapshot's last row committed (the runner mapped the
          // snapshot and said it was complete), before the engine stored that batch's offsets.
          runner.injectFault(
              job,
              JobRunner.FaultPoint.AFTER_COMMIT,
              e -> e.snapshot() == ChangeEvent.Snapshot.LAST);
          assertThat(post("/v1/migrations/" + job + "/start").statusCode()).isEqualTo(202);
          awaitTrue(() -> "FAILED".equals(status(job).path("phase").asString()), "crash");
          assertThat(status(job).path("snapshotCompletedAt").isString())
              .as("the runner had committed the end of the snapshot")
              .isTrue();

          // While the runner is down, legacy reverses a transaction the snapshot posted and takes
          // the
          // money back, and takes a new deposit.
          long reversed;
          long walletOfReversed;
          String amount;
          try (Connection legacy = connect(legacyUrl);
              var st = legacy.createStatement()) {
            var rs =
                st.executeQuery(
                    "select id, wallet_id, amount from transactions where status_code = 1"
                        + " and kind = 'DEP' and deleted = 0 order by id limit 1");
            assertThat(rs.next()).isTrue();
            reversed = rs.getLong(1);
            walletOfReversed = rs.getLong(2);
            amount = rs.getString(3);
          }
          assertThat(txState(job, reversed)).isEqualTo("POSTED");
          long depositWhileDown;
          try (Connection legacy = connect(legacyUrl);
              var st = legacy.createStatement()) {
            st.execute("update transactions set status_code = 3 where id = " + reversed);
            st.execute(
                "update wallets set balance = balance - "
                    + amount
                    + " where id = "
                    + walletOfReversed);
            depositWhileDown =
                new LegacyWriter(legacy, Clock.systemUTC(), LEGACY_ZONE)
                    .deposit(3, new BigDecimal("7.00"));
          }

          // Debezium's stored offsets say the snapshot is not finished: it reads it again, and the
          // job says so from the resume on instead of claiming a completed snapshot.
          var resumed = post("/v1/migrations/" + job + "/resume");
          assertThat(resumed.statusCode()).isEqualTo(202);
          JsonNode afterResume = json.readTree(resumed.body());
          assertThat(afterResume.path("snapshotCompletedAt").isString())
              .as(resumed.body())
              .isFalse();
          awaitTrue(
              () -> status(job).path("snapshotCompletedAt").isString(), "snapshot read again");
          JsonNode status = status(job);
          assertThat(status.path("phase").asString()).isEqualTo("STREAMING");
          assertThat(status.path("rowsSnapshotted").asLong())
              .as("the second read counted once")
              .isEqualTo(status.path("rowsTotal").asLong());

          // The reversal made while down is applied once, the deposit posted, and streaming goes
          // on.
          assertThat(txState(job, reversed)).isEqualTo("REVERSED");
          assertThat(txState(job, depositWhileDown)).isEqualTo("POSTED");
          long streamedDeposit;
          try (Connection legacy = connect(legacyUrl)) {
            streamedDeposit =
                new LegacyWriter(legacy, Clock.systemUTC(), LEGACY_ZONE)
                    .deposit(2, new BigDecimal("3.10"));
          }
          awaitTrue(() -> "POSTED".equals(txState(job, streamedDeposit)), "streamed deposit");
          Map<String, UUID> commands = commands(job);
          String reversal = LegacyIds.reversalKey("transactions", reversed);
          assertThat(commands).containsKey(reversal);
          assertEachPublishedOnce(job, commands);
        });
  }

  @Test
  void aRowChangedSeveralTimesInOneBatchIsMappedInOrderAndOnceThroughARedelivery()
      throws Exception {
    String legacyUrl = legacyDatabase();
    UUID job = seededJob(legacyUrl, new LegacySeeder.Plan(6, 40, 23, 0));
    withPostingLedger(
        job,
        () -> {
          assertThat(post("/v1/migrations/" + job + "/start").statusCode()).isEqualTo(202);
          awaitTrue(() -> "STREAMING".equals(status(job).path("phase").asString()), "streaming");
          // The batch holding these changes crashes after its commit: the engine delivers it again.
          runner.injectFault(
              job,
              JobRunner.FaultPoint.AFTER_COMMIT,
              e -> e.after() != null && "4.37".equals(String.valueOf(e.after().get("amount"))));
          long reversed;
          long confirmed;
          try (Connection legacy = connect(legacyUrl);
              var st = legacy.createStatement()) {
            // One legacy commit, hence one batch: a pending deposit confirmed then reversed, and a
            // deposit touched again without a change of amount.
            legacy.setAutoCommit(false);
            var rs =
                st.executeQuery(
                    "insert into transactions (wallet_id, kind, amount, status_code, created_at,"
                        + " updated_at) values (1, 'DEP', 4.37, 0, now(), now()) returning id");
            rs.next();
            reversed = rs.getLong(1);
            st.execute("update transactions set status_code = 1 where id = " + reversed);
            st.execute("update wallets set balance = balance + 4.37 where id = 1");
            st.execute("update transactions set status_code = 3 where id = " + reversed);
            st.execute("update wallets set balance = balance - 4.37 where id = 1");
            rs =
                st.executeQuery(
                    "insert into transactions (wallet_id, kind, amount, status_code, created_at,"
                        + " updated_at) values (2, 'DEP', 2.5, 1, now(), now()) returning id");
            rs.next();
            confirmed = rs.getLong(1);
            st.execute("update wallets set balance = balance + 2.5 where id = 2");
            st.execute("update transactions set amount = 2.50 where id = " + confirmed);
            legacy.commit();
          }
          awaitTrue(() -> "FAILED".equals(status(job).path("phase").asString()), "crash");
          assertThat(post("/v1/migrations/" + job + "/resume").statusCode()).isEqualTo(202);
          awaitTrue(
              () -> "STREAMING".equals(status(job).path("phase").asString()), "streaming again");
          long marker;
          try (Connection legacy = connect(legacyUrl)) {
            marker =
                new LegacyWriter(legacy, Clock.systemUTC(), LEGACY_ZONE)
                    .deposit(3, new BigDecimal("1"));
          }
          awaitTrue(() -> "POSTED".equals(txState(job, marker)), "a later change streamed");

          assertThat(txState(job, reversed)).isEqualTo("REVERSED");
          assertThat(txState(job, confirmed)).isEqualTo("POSTED");
          assertThat(failureKeys(job)).as("trailing zeros are no change").isEmpty();
          Map<String, UUID> commands = commands(job);
          assertThat(commands)
              .containsKeys(
                  LegacyIds.key("transactions", reversed),
                  LegacyIds.reversalKey("transactions", reversed),
                  LegacyIds.key("transactions", confirmed));
          assertEachPublishedOnce(job, commands);
        });
  }

  @Test
  void noCommandIsSentBeforeEveryAccountIsOpenAndAnUnreachableLedgerIsWaitedOut() throws Exception {
    String legacyUrl = legacyDatabase();
    try (Connection legacy = connect(legacyUrl)) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(6, 40, 3, 0));
    }
    UUID job = create(legacyUrl, false);
    // Other tests' legacy databases have the same wallet ids, hence the same accounts: forget them,
    // as a runner meeting this ledger for the first time.
    jdbc.sql("delete from ledger_account").update();
    LEDGER.accounts.clear();
    LEDGER.available = false;
    try {
      assertThat(post("/v1/migrations/" + job + "/start").statusCode()).isEqualTo(202);
      awaitTrue(
          () -> "WAITING_FOR_LEDGER".equals(status(job).path("phase").asString()),
          "job waits for the ledger");
      assertThat(status(job).path("error").asString())
          .contains("ledger-service", "503", "retrying");
      Thread.sleep(1_000);
      assertThat(commands(job)).as("nothing sent while the ledger is down").isEmpty();
      assertThat(status(job).path("rowsSnapshotted").asLong()).isZero();
    } finally {
      LEDGER.available = true;
    }
    awaitTrue(() -> status(job).path("snapshotCompletedAt").isString(), "snapshot completed");

    // Every wallet, suspense and outside-world account is open, with the LegacyIds ids.
    List<Long> wallets = new java.util.ArrayList<>();
    try (Connection legacy = connect(legacyUrl);
        var st = legacy.createStatement();
        var rs = st.executeQuery("select id from wallets where upper(trim(currency)) = 'USD'")) {
      while (rs.next()) {
        wallets.add(rs.getLong(1));
      }
    }
    for (long w : wallets) {
      assertThat(LEDGER.accounts).containsKey(LegacyIds.DEFAULT.walletAccount(w));
      assertThat(LEDGER.accounts.get(LegacyIds.DEFAULT.walletAccount(w)))
          .contains("\"ownerRef\":\"legacy:wallets:" + w + "\"", "\"flags\":[]");
    }
    var usd = io.tpwallet.common.money.Asset.USD;
    assertThat(LEDGER.accounts)
        .containsKeys(
            LegacyIds.DEFAULT.suspenseAccount(usd), LegacyIds.DEFAULT.externalAccount(usd));

    // A wallet created while streaming is opened before the transactions that use it are sent.
    long wallet;
    long deposit;
    try (Connection legacy = connect(legacyUrl);
        var st = legacy.createStatement()) {
      var rs =
          st.executeQuery(
              "insert into wallets (user_id, currency, balance, created_at, updated_at)"
                  + " values (1, 'USD', 0, now(), now()) returning id");
      rs.next();
      wallet = rs.getLong(1);
      deposit =
          new LegacyWriter(legacy, Clock.systemUTC(), LEGACY_ZONE)
              .deposit(wallet, new BigDecimal("7"));
    }
    awaitTrue(() -> "POSTED".equals(txState(job, deposit)), "deposit into the new wallet posted");
    assertThat(LEDGER.accounts).containsKey(LegacyIds.DEFAULT.walletAccount(wallet));
    runner.pause(job);
  }

  @Test
  void aCutoverThatCannotReconcileUnfreezesLegacyAndSaysWhy() throws Exception {
    String legacyUrl = legacyDatabase();
    try (Connection legacy = connect(legacyUrl)) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(5, 30, 9, 0));
    }
    UUID job = create(legacyUrl, false);
    assertThat(post("/v1/migrations/" + job + "/start").statusCode()).isEqualTo(202);
    awaitTrue(() -> "STREAMING".equals(status(job).path("phase").asString()), "streaming");

    assertThat(post("/v1/migrations/" + job + "/rollback").statusCode()).isEqualTo(409);
    // No ledger answers here (the fake ledger does not consume Kafka): the reconciliation cannot
    // be clean, so the cutover fails and legacy is writable again.
    var reply =
        http.send(
            HttpRequest.newBuilder(uri("/v1/migrations/" + job + "/cutover"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"freezeMethod\":\"TRIGGER\",\"drainSeconds\":30,\"answerSeconds\":0}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    JsonNode attempt = json.readTree(reply.body());
    assertThat(attempt.path("status").asString()).isEqualTo("FAILED");
    assertThat(attempt.path("detail").asString()).contains("unanswered");
    assertThat(attempt.path("frozenAt").isString()).isTrue();
    assertThat(attempt.path("frozenMs").asLong()).isNotNegative();
    JsonNode status = status(job);
    assertThat(status.path("phase").asString()).isEqualTo("STREAMING");
    assertThat(status.path("cutover").path("status").asString()).isEqualTo("FAILED");
    try (Connection legacy = connect(legacyUrl)) {
      new LegacyWriter(legacy, Clock.systemUTC(), LEGACY_ZONE).deposit(1, new BigDecimal("1"));
    }
    assertThat(post("/v1/migrations/" + job + "/cutover").statusCode())
        .as("a second attempt is allowed")
        .isEqualTo(200);
    runner.pause(job);
  }

  /**
   * Seeds the legacy database and creates a job over it with an id namespace of its own: the fake
   * ledger posts this job's commands, and other tests' legacy databases have the same wallet ids.
   */
  private UUID seededJob(String legacyUrl, LegacySeeder.Plan plan) throws Exception {
    try (Connection legacy = connect(legacyUrl)) {
      LegacySeeder.seed(legacy, plan);
    }
    return new JobApi(port, json).create(legacyUrl, false, UUID.randomUUID());
  }

  /**
   * Runs {@code steps} while the fake ledger posts the job's commands, then checks what a user
   * checks before cutover: the ledger's balances equal legacy's, settled, nothing unexplained. The
   * job is paused after, whatever happened.
   */
  private void withPostingLedger(UUID job, Steps steps) throws Exception {
    try (AutoCloseable ledger = LEDGER.post(job, envelope)) {
      steps.run();
      JobTables.assertLedgerAgreesWithLegacy(
          get("/v1/migrations/" + job + "/report?ledger=true&waitSeconds=30"));
    } finally {
      if (runner.isRunning(job)) {
        runner.pause(job);
      }
    }
  }

  @FunctionalInterface
  private interface Steps {
    void run() throws Exception;
  }

  /** Every command of the job is on Kafka, and none twice. */
  private void assertEachPublishedOnce(UUID job, Map<String, UUID> commands) {
    Map<UUID, Integer> sent = awaitPublished(job, commands.size());
    assertThat(sent.keySet()).containsExactlyInAnyOrderElementsOf(commands.values());
    assertThat(sent.values()).as("each command published once").allMatch(n -> n == 1);
  }

  // --- helpers -----------------------------------------------------------------------------

  private static String legacyDatabase() throws Exception {
    return JobApi.legacyDatabase();
  }

  private static Connection connect(String url) throws Exception {
    return JobApi.connect(url);
  }

  private UUID create(String legacyUrl, boolean dryRun) throws Exception {
    return new JobApi(port, json).create(legacyUrl, dryRun);
  }

  private HttpResponse<String> post(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(String path) {
    return json.readTree(body(path));
  }

  private String body(String path) {
    try {
      var response =
          http.send(
              HttpRequest.newBuilder(uri(path)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return response.body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode status(UUID job) {
    return get("/v1/migrations/" + job);
  }

  private JsonNode report(UUID job) {
    return get("/v1/migrations/" + job + "/report");
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

  /**
   * The TransferRequested commands of the job on Kafka, by transfer id, with how often each came.
   */
  private Map<UUID, Integer> awaitPublished(UUID job, int expected) {
    String key = CommandKeys.prefix(job);
    try (var probe = new KafkaProbe(Topics.LEDGER_TRANSFERS_REQUESTED)) {
      probe.await(r -> r.key() != null && r.key().startsWith(key), WAIT_MAX);
      Instant until = Instant.now().plus(WAIT_MAX);
      Map<UUID, Integer> counts = new HashMap<>();
      while (Instant.now().isBefore(until)) {
        counts.clear();
        for (var record :
            probe.all(r -> r.key() != null && r.key().startsWith(key), Duration.ofMillis(500))) {
          CloudEvent event = Envelope.deserialize(record.value());
          for (TransferRequested t : envelope.data(event, TransfersRequested.class).transfers()) {
            counts.merge(t.transferId(), 1, Integer::sum);
          }
        }
        if (counts.values().stream().mapToInt(Integer::intValue).sum() >= expected) {
          break;
        }
      }
      return counts;
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    JobTables.awaitTrue(condition, what, WAIT_MAX);
  }
}
