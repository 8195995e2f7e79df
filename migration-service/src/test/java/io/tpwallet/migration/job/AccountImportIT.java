package io.tpwallet.migration.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.LegacyCustomerImportRequested;
import io.tpwallet.common.event.LegacyCutoverRecorded;
import io.tpwallet.common.event.LegacyWalletImportRequested;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.money.Asset;
import io.tpwallet.common.outbox.OutboxGroup;
import io.tpwallet.migration.cdc.SlotCheck;
import io.tpwallet.migration.legacy.LegacySeeder;
import io.tpwallet.migration.legacy.LegacyWriter;
import io.tpwallet.migration.transform.LegacyIds;
import io.tpwallet.migration.transform.LegacyTime;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.KafkaProbe;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
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
 * What account-service is told, on a real legacy PostgreSQL and Kafka with the in-process fake
 * ledger: one customer command per legacy user and one wallet command per wallet with an open
 * ledger account, once per change, the customer's before its wallets', orphans reported and none of
 * it for a dry run; and the cutover's no-overdraft limits on every wallet account (never the
 * suspense or outside-world accounts), the overdrawn wallets held, a ledger failure while limiting
 * undone, the rollback clearing the limits, and the cutover record on Kafka.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AccountImportIT {

  private static final ZoneId LEGACY_ZONE = ZoneId.of("Asia/Shanghai");
  private static final Duration WAIT_MAX = Duration.ofSeconds(60);
  private static final FakeLedger LEDGER = new FakeLedger();

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "migration");
    registry.add("tpw.outbox.poll-interval", () -> "50ms");
    registry.add("tpw.ledger.url", LEDGER::url);
  }

  @LocalServerPort int port;
  @Autowired JobRunner runner;
  @Autowired Envelope envelope;
  @Autowired JsonMapper json;
  @Autowired JdbcClient jdbc;
  @Autowired MigrationJobs jobs;

  /** A legacy user as the legacy database holds it. */
  private record User(long id, String email, String name, Instant createdAt, boolean deleted) {}

  /** A legacy wallet as the legacy database holds it. */
  private record Wallet(long id, long userId, String asset, boolean deleted) {}

  @Test
  void eachUserAndWalletIsImportedOncePerChangeCustomerFirstAndAnOrphanIsReported()
      throws Exception {
    String legacyUrl = JobApi.legacyDatabase();
    long orphan;
    try (Connection legacy = JobApi.connect(legacyUrl);
        var st = legacy.createStatement()) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(12, 60, 31, 0));
      // A wallet whose user does not exist: the legacy app never declared a foreign key.
      orphan = insertWallet(st, 9_999, "USD", "0");
    }
    UUID namespace = UUID.randomUUID();
    LegacyIds ids = new LegacyIds(namespace);
    UUID job = api().create(legacyUrl, false, namespace);
    startStreaming(job);

    // The snapshot: every user once, every wallet with a user once, the orphan reported instead.
    Map<Long, User> users = users(legacyUrl);
    Map<Long, Wallet> wallets = wallets(legacyUrl);
    wallets.remove(orphan);
    Map<Long, Integer> customersExpected = new HashMap<>();
    users.keySet().forEach(u -> customersExpected.put(u, 1));
    Map<Long, Integer> walletsExpected = new HashMap<>();
    wallets.keySet().forEach(w -> walletsExpected.put(w, 1));
    assertImports(job, ids, users, wallets, customersExpected, walletsExpected);
    assertThat(failures(job)).containsEntry("wallets:" + orphan, Imports.ORPHAN_USER);
    assertCustomersBeforeTheirWallets(ids, users.keySet());

    // Streamed changes, each its own legacy commit.
    long renamed = firstLive(users, 0);
    long closed = firstLive(users, 1);
    long replayed = firstLive(users, 2);
    long walletTouched = wallets.values().stream().filter(w -> !w.deleted()).toList().get(0).id();
    long walletDeleted = wallets.values().stream().filter(w -> !w.deleted()).toList().get(1).id();
    long newWallet;
    try (Connection legacy = JobApi.connect(legacyUrl);
        var st = legacy.createStatement()) {
      st.execute("update users set email = 'renamed@legacy.example' where id = " + renamed);
      st.execute(
          "update users set deleted_at = created_at + interval '1 day' where id = " + closed);
      // Its balance and update time alone: nothing account-service holds changed.
      st.execute("update wallets set updated_at = now() where id = " + walletTouched);
      st.execute("update wallets set deleted = 1 where id = " + walletDeleted);
      // A new wallet committed before its new user, in one legacy transaction.
      legacy.setAutoCommit(false);
      newWallet = insertWallet(st, 5_000, "usd", "0");
      insertUser(st, 5_000, "new@legacy.example");
      legacy.commit();
      // The orphan's user appears: it is imported after all.
      insertUser(st, 9_999, "late@legacy.example");
      legacy.commit();
    }
    users = users(legacyUrl);
    wallets = wallets(legacyUrl);
    customersExpected.put(renamed, 2);
    customersExpected.put(closed, 2);
    customersExpected.put(5_000L, 1);
    customersExpected.put(9_999L, 1);
    walletsExpected.put(walletDeleted, 2);
    walletsExpected.put(newWallet, 1);
    walletsExpected.put(orphan, 1);

    // A changed user whose batch is applied and crashes before its offsets are stored: the engine
    // delivers it again after the resume, and account-service is still told once.
    runner.injectFault(
        job,
        JobRunner.FaultPoint.AFTER_COMMIT,
        e ->
            e.after() != null
                && "replayed@legacy.example".equals(String.valueOf(e.after().get("email"))));
    try (Connection legacy = JobApi.connect(legacyUrl);
        var st = legacy.createStatement()) {
      st.execute("update users set email = 'replayed@legacy.example' where id = " + replayed);
    }
    awaitTrue(() -> "FAILED".equals(api().status(job).path("phase").asString()), "crash");
    assertThat(api().send("POST", "/v1/migrations/" + job + "/resume", "").statusCode())
        .isEqualTo(202);
    awaitStreaming(job);
    users = users(legacyUrl);
    customersExpected.put(replayed, 2);

    assertImports(job, ids, users, wallets, customersExpected, walletsExpected);
    assertThat(failures(job)).doesNotContainKey("wallets:" + orphan);
    assertCustomersBeforeTheirWallets(ids, users.keySet());
    runner.pause(job);
  }

  @Test
  void aDryRunTellsAccountServiceNothing() throws Exception {
    String legacyUrl = JobApi.legacyDatabase();
    try (Connection legacy = JobApi.connect(legacyUrl)) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(6, 20, 37, 0));
    }
    UUID job = api().create(legacyUrl, true, UUID.randomUUID());
    startStreaming(job);
    try (Connection legacy = JobApi.connect(legacyUrl);
        var st = legacy.createStatement()) {
      insertUser(st, 700, "dry@legacy.example");
    }
    awaitTrue(
        () ->
            jdbc.sql("select count(*) from legacy_user where job_id = ? and user_id = 700")
                    .param(job)
                    .query(Long.class)
                    .single()
                == 1,
        "the streamed user seen");
    assertThat(customerCommands(job, Duration.ofSeconds(2))).isEmpty();
    assertThat(walletCommands(job, Duration.ZERO)).isEmpty();
    runner.pause(job);
  }

  @Test
  void theCutoverLimitsEveryWalletHoldsTheOverdrawnAndTheRollbackClearsTheLimits()
      throws Exception {
    String legacyUrl = JobApi.legacyDatabase();
    long overdrawn;
    try (Connection legacy = JobApi.connect(legacyUrl);
        var st = legacy.createStatement()) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(10, 60, 41, 0));
      // Legacy let this wallet overdraw: its history is migrated as it is, and at cutover the
      // ledger cannot give it the limit.
      overdrawn = insertWallet(st, 1, "USD", "-5.00");
      st.execute(
          "insert into transactions (wallet_id, kind, amount, status_code, created_at, updated_at)"
              + " values ("
              + overdrawn
              + ", 'WDR', 5.00, 1, now(), now())");
    }
    UUID namespace = UUID.randomUUID();
    LegacyIds ids = new LegacyIds(namespace);
    UUID job = api().create(legacyUrl, false, namespace);
    try (AutoCloseable posting = LEDGER.post(job, envelope)) {
      startStreaming(job);
      List<UUID> accounts = walletAccounts(job);
      assertThat(accounts)
          .contains(ids.walletAccount(overdrawn))
          .hasSize(wallets(legacyUrl).size());

      JsonNode attempt = cutover(job);
      assertThat(attempt.path("status").asString()).as(attempt.toString()).isEqualTo("SWITCHED");
      Set<UUID> held = uuids(attempt.path("walletsHeld"));
      assertThat(held).contains(ids.walletAccount(overdrawn));
      held.forEach(
          h -> assertThat(LEDGER.balance(h)).as("held " + h + " is overdrawn").isNegative());
      Set<UUID> limited = new HashSet<>(accounts);
      limited.removeAll(held);
      assertThat(LEDGER.noOverdraft).containsAll(limited).doesNotContainAnyElementsOf(held);
      assertThat(attempt.path("accountsLimited").asLong()).isEqualTo(limited.size());
      assertThat(attempt.path("frozenMs").asLong()).isLessThan(10_000);
      for (Asset asset : List.of(Asset.USD, Asset.BTC)) {
        assertThat(LEDGER.noOverdraft)
            .doesNotContain(ids.suspenseAccount(asset), ids.externalAccount(asset));
      }
      JsonNode status = api().status(job);
      assertThat(status.path("phase").asString()).isEqualTo("CUT_OVER");
      assertThat(uuids(status.path("cutover").path("walletsHeld"))).isEqualTo(held);
      JsonNode report = api().get("/v1/migrations/" + job + "/report");
      assertThat(report.path("cutover").path("accountsLimited").asLong()).isEqualTo(limited.size());
      String page = reportPage(job);
      assertThat(page).contains("no-overdraft limit", ids.walletAccount(overdrawn).toString());
      LegacyCutoverRecorded switched = awaitCutoverRecord(job, LegacyCutoverRecorded.SWITCHED);
      assertThat(new HashSet<>(switched.walletsHeld())).isEqualTo(held);

      // Rollback: the limits go first, then legacy is writable again and account-service told.
      HttpResponse<String> back = api().send("POST", "/v1/migrations/" + job + "/rollback", "");
      assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
      assertThat(json.readTree(back.body()).path("status").asString()).isEqualTo("ROLLED_BACK");
      assertThat(LEDGER.noOverdraft).doesNotContainAnyElementsOf(accounts);
      assertThat(awaitCutoverRecord(job, LegacyCutoverRecorded.ROLLED_BACK).walletsHeld())
          .isEmpty();
      assertThat(legacyDeposit(legacyUrl)).isEqualTo("ok");
    } finally {
      if (runner.isRunning(job)) {
        runner.pause(job);
      }
    }
  }

  @Test
  void aLedgerFailureWhileLimitingFailsTheCutoverClearsTheLimitsAndUnfreezes() throws Exception {
    String legacyUrl = JobApi.legacyDatabase();
    try (Connection legacy = JobApi.connect(legacyUrl)) {
      // More than 1,000 wallets: the limits take several calls, the second of which fails.
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(900, 200, 43, 0));
    }
    UUID job = api().create(legacyUrl, false, UUID.randomUUID());
    try (AutoCloseable posting = LEDGER.post(job, envelope)) {
      startStreaming(job);
      List<UUID> accounts = walletAccounts(job);
      assertThat(accounts).hasSizeGreaterThan(1_000);

      // The second call is applied by the ledger but answered 503.
      LEDGER.limitCallFailing = LEDGER.limitCalls.get() + 2;
      JsonNode failed = cutover(job);
      assertThat(failed.path("status").asString()).as(failed.toString()).isEqualTo("FAILED");
      assertThat(failed.path("detail").asString()).contains("no-overdraft limits failed", "503");
      assertThat(LEDGER.noOverdraft)
          .as("every limit cleared")
          .doesNotContainAnyElementsOf(accounts);
      assertThat(api().status(job).path("phase").asString()).isEqualTo("STREAMING");
      assertThat(legacyDeposit(legacyUrl)).as("legacy unfrozen").isEqualTo("ok");

      // Once the ledger answers, the next attempt switches and limits every wallet.
      JsonNode switched = cutover(job);
      assertThat(switched.path("status").asString()).as(switched.toString()).isEqualTo("SWITCHED");
      Set<UUID> limited = new HashSet<>(accounts);
      limited.removeAll(uuids(switched.path("walletsHeld")));
      assertThat(LEDGER.noOverdraft).containsAll(limited);
      assertThat(switched.path("accountsLimited").asLong()).isEqualTo(limited.size());
      assertThat(awaitCutoverRecords(job, 1)).hasSize(1);
    } finally {
      if (runner.isRunning(job)) {
        runner.pause(job);
      }
    }
  }

  @Test
  void aConflictingFlagFailsTheCutoverAndARollbackWaitsForTheLedgerWithLegacyFrozen()
      throws Exception {
    String legacyUrl = JobApi.legacyDatabase();
    try (Connection legacy = JobApi.connect(legacyUrl)) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(8, 40, 47, 0));
    }
    UUID job = api().create(legacyUrl, false, UUID.randomUUID());
    try (AutoCloseable posting = LEDGER.post(job, envelope)) {
      startStreaming(job);
      List<UUID> accounts = walletAccounts(job);
      UUID conflicting = accounts.get(0);
      LEDGER.conflicting.add(conflicting);
      JsonNode failed = cutover(job);
      assertThat(failed.path("status").asString()).as(failed.toString()).isEqualTo("FAILED");
      assertThat(failed.path("detail").asString())
          .contains("could not be limited", conflicting + " CONFLICTING_FLAG");
      assertThat(LEDGER.noOverdraft).doesNotContainAnyElementsOf(accounts);
      assertThat(legacyDeposit(legacyUrl)).as("legacy unfrozen").isEqualTo("ok");
      LEDGER.conflicting.remove(conflicting);

      assertThat(cutover(job).path("status").asString()).isEqualTo("SWITCHED");
      LEDGER.available = false;
      HttpResponse<String> refused;
      try {
        refused = api().send("POST", "/v1/migrations/" + job + "/rollback", "");
      } finally {
        LEDGER.available = true;
      }
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(api().status(job).path("phase").asString()).isEqualTo("CUT_OVER");
      assertThat(legacyDeposit(legacyUrl)).as("still frozen").contains("frozen");
      assertThat(LEDGER.noOverdraft).containsAll(accounts);
      HttpResponse<String> back = api().send("POST", "/v1/migrations/" + job + "/rollback", "");
      assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
      assertThat(LEDGER.noOverdraft).doesNotContainAnyElementsOf(accounts);
    } finally {
      if (runner.isRunning(job)) {
        runner.pause(job);
      }
    }
  }

  @Test
  void aFinishedJobLeavesNoSlotOnLegacyStaysFrozenAndCannotRollBackOrRestart() throws Exception {
    String legacyUrl = JobApi.legacyDatabase();
    try (Connection legacy = JobApi.connect(legacyUrl)) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(6, 30, 53, 0));
    }
    UUID job = api().create(legacyUrl, false, UUID.randomUUID());
    String slot = api().status(job).path("slotName").asString();
    try (AutoCloseable posting = LEDGER.post(job, envelope)) {
      startStreaming(job);
      assertThat(sourceHolds(legacyUrl, slot)).containsExactly("slot", "publication");
      HttpResponse<String> early = api().send("POST", "/v1/migrations/" + job + "/finish", "");
      assertThat(early.statusCode()).as(early.body()).isEqualTo(409);
      assertThat(early.body()).contains("not switched");

      assertThat(cutover(job).path("status").asString()).isEqualTo("SWITCHED");
      HttpResponse<String> abandon = api().send("POST", "/v1/migrations/" + job + "/abandon", "");
      assertThat(abandon.statusCode()).as(abandon.body()).isEqualTo(409);
      assertThat(abandon.body()).contains("roll back first");

      HttpResponse<String> finished = api().send("POST", "/v1/migrations/" + job + "/finish", "");
      assertThat(finished.statusCode()).as(finished.body()).isEqualTo(200);
      assertThat(json.readTree(finished.body()).path("phase").asString()).isEqualTo("FINISHED");
      assertThat(runner.isRunning(job)).isFalse();
      assertThat(sourceHolds(legacyUrl, slot)).as("slot and publication dropped").isEmpty();
      assertThat(legacyDeposit(legacyUrl)).as("legacy stays frozen").contains("frozen");
      for (String refused : List.of("rollback", "start", "resume", "cutover")) {
        HttpResponse<String> r = api().send("POST", "/v1/migrations/" + job + "/" + refused, "");
        assertThat(r.statusCode()).as(refused + ": " + r.body()).isEqualTo(409);
      }
      HttpResponse<String> again = api().send("POST", "/v1/migrations/" + job + "/finish", "");
      assertThat(again.statusCode()).as("finishing again answers the same").isEqualTo(200);
      assertThat(api().status(job).path("phase").asString()).isEqualTo("FINISHED");
      assertThat(api().status(job).path("cutover").path("status").asString()).isEqualTo("SWITCHED");
    }
  }

  @Test
  void anAbandonedJobLeavesNoSlotOnLegacyAndLegacyStaysWritable() throws Exception {
    String legacyUrl = JobApi.legacyDatabase();
    try (Connection legacy = JobApi.connect(legacyUrl)) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(5, 20, 59, 0));
    }
    UUID job = api().create(legacyUrl, false, UUID.randomUUID());
    String slot = api().status(job).path("slotName").asString();
    try (AutoCloseable posting = LEDGER.post(job, envelope)) {
      startStreaming(job);
      assertThat(cutover(job).path("status").asString()).isEqualTo("SWITCHED");
      assertThat(api().send("POST", "/v1/migrations/" + job + "/rollback", "").statusCode())
          .isEqualTo(200);

      HttpResponse<String> abandoned = api().send("POST", "/v1/migrations/" + job + "/abandon", "");
      assertThat(abandoned.statusCode()).as(abandoned.body()).isEqualTo(200);
      assertThat(json.readTree(abandoned.body()).path("phase").asString()).isEqualTo("ABANDONED");
      assertThat(runner.isRunning(job)).isFalse();
      assertThat(sourceHolds(legacyUrl, slot)).as("slot and publication dropped").isEmpty();
      assertThat(legacyDeposit(legacyUrl)).as("legacy is the system of record").isEqualTo("ok");
      HttpResponse<String> finish = api().send("POST", "/v1/migrations/" + job + "/finish", "");
      assertThat(finish.statusCode()).as(finish.body()).isEqualTo(409);
      assertThat(api().send("POST", "/v1/migrations/" + job + "/resume", "").statusCode())
          .isEqualTo(409);
    }
  }

  @Test
  void aRunnerKilledDuringTheCutoverFailsTheAttemptClearsTheLimitsAndUnfreezesOnRestart()
      throws Exception {
    String legacyUrl = JobApi.legacyDatabase();
    try (Connection legacy = JobApi.connect(legacyUrl)) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(6, 30, 61, 0));
    }
    UUID job = api().create(legacyUrl, false, UUID.randomUUID());
    try (AutoCloseable posting = LEDGER.post(job, envelope)) {
      startStreaming(job);
      List<UUID> accounts = walletAccounts(job);
      // What a runner killed while limiting leaves: legacy frozen, some limits set, the attempt
      // at LIMITING and the job CUTTING_OVER (the engine is stopped first, as by the kill).
      runner.pause(job);
      Cutover.freeze(jobs.get(job));
      LEDGER.noOverdraft.addAll(accounts.subList(0, 3));
      jdbc.sql(
              """
              insert into migration_cutover (job_id, freeze_method, status, started_at, frozen_at,
                drained_at) values (?, 'TRIGGER', 'LIMITING', now(), now(), now())""")
          .param(job)
          .update();
      jobs.phase(job, Phase.CUTTING_OVER, null);
      assertThat(legacyDeposit(legacyUrl)).as("frozen by the dead attempt").contains("frozen");

      // Started again (as the runner's startup does for a job it was running) with the ledger
      // down: nothing is cleared or unfrozen until the ledger answers.
      LEDGER.available = false;
      try {
        runner.start(job);
        awaitTrue(
            () -> "WAITING_FOR_LEDGER".equals(api().status(job).path("phase").asString()),
            "waiting for the ledger");
        assertThat(legacyDeposit(legacyUrl)).as("still frozen").contains("frozen");
      } finally {
        LEDGER.available = true;
      }
      awaitStreaming(job);
      JsonNode attempt = api().status(job).path("cutover");
      assertThat(attempt.path("status").asString()).isEqualTo("FAILED");
      assertThat(attempt.path("detail").asString())
          .contains("runner stopped during the cutover (at LIMITING)");
      assertThat(LEDGER.noOverdraft).doesNotContainAnyElementsOf(accounts);
      assertThat(legacyDeposit(legacyUrl)).as("legacy unfrozen").isEqualTo("ok");
      assertThat(cutover(job).path("status").asString())
          .as("the next attempt switches")
          .isEqualTo("SWITCHED");
    }
  }

  @Test
  void aSwitchedJobPausedAndResumedIsStillCutOverAndRollsBack() throws Exception {
    String legacyUrl = JobApi.legacyDatabase();
    try (Connection legacy = JobApi.connect(legacyUrl)) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(5, 20, 67, 0));
    }
    UUID job = api().create(legacyUrl, false, UUID.randomUUID());
    try (AutoCloseable posting = LEDGER.post(job, envelope)) {
      startStreaming(job);
      assertThat(cutover(job).path("status").asString()).isEqualTo("SWITCHED");
      assertThat(api().send("POST", "/v1/migrations/" + job + "/pause", "").statusCode())
          .isEqualTo(200);
      assertThat(api().send("POST", "/v1/migrations/" + job + "/resume", "").statusCode())
          .isEqualTo(202);
      awaitTrue(
          () -> {
            JsonNode s = api().status(job);
            return "CUT_OVER".equals(s.path("phase").asString()) && s.path("running").asBoolean();
          },
          "cut over and running again");
      HttpResponse<String> back = api().send("POST", "/v1/migrations/" + job + "/rollback", "");
      assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
      assertThat(legacyDeposit(legacyUrl)).isEqualTo("ok");
    }
  }

  /** Which of "slot" and "publication" of the job named {@code slot} the legacy server has. */
  private static List<String> sourceHolds(String legacyUrl, String slot) throws Exception {
    try (Connection legacy = JobApi.connect(legacyUrl);
        var find =
            legacy.prepareStatement(
                """
                select 'slot' from pg_replication_slots where slot_name = ?
                union all select 'publication' from pg_publication where pubname = ?""")) {
      find.setString(1, slot);
      find.setString(2, slot);
      List<String> held = new ArrayList<>();
      try (var rs = find.executeQuery()) {
        while (rs.next()) {
          held.add(rs.getString(1));
        }
      }
      return held;
    }
  }

  // --- helpers -----------------------------------------------------------------------------

  private JobApi api() {
    return new JobApi(port, json);
  }

  private JsonNode cutover(UUID job) throws Exception {
    HttpResponse<String> reply =
        api()
            .send(
                "POST",
                "/v1/migrations/" + job + "/cutover",
                "{\"freezeMethod\":\"TRIGGER\",\"drainSeconds\":30,\"answerSeconds\":30}");
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    return json.readTree(reply.body());
  }

  private String reportPage(UUID job) throws Exception {
    var reply = api().send("GET", "/v1/migrations/" + job + "/report.html", "");
    assertThat(reply.statusCode()).isEqualTo(200);
    return reply.body();
  }

  private void startStreaming(UUID job) throws Exception {
    assertThat(api().send("POST", "/v1/migrations/" + job + "/start", "").statusCode())
        .isEqualTo(202);
    awaitStreaming(job);
  }

  private void awaitStreaming(UUID job) throws InterruptedException {
    awaitTrue(
        () -> {
          JsonNode s = api().status(job);
          return "STREAMING".equals(s.path("phase").asString())
              && s.path("snapshotCompletedAt").isString();
        },
        "streaming");
  }

  /**
   * Checks, once the expected number has arrived, that account-service got exactly {@code
   * customers} commands per user and {@code walletCounts} per wallet, the last of each carrying the
   * row as legacy holds it now, each under its customer id.
   */
  private void assertImports(
      UUID job,
      LegacyIds ids,
      Map<Long, User> users,
      Map<Long, Wallet> wallets,
      Map<Long, Integer> customers,
      Map<Long, Integer> walletCounts)
      throws InterruptedException {
    int customersTotal = customers.values().stream().mapToInt(Integer::intValue).sum();
    int walletsTotal = walletCounts.values().stream().mapToInt(Integer::intValue).sum();
    awaitTrue(
        () -> customerCommands(job, Duration.ofMillis(300)).size() >= customersTotal,
        customersTotal + " customer commands");
    awaitTrue(
        () -> walletCommands(job, Duration.ofMillis(300)).size() >= walletsTotal,
        walletsTotal + " wallet commands");
    // A settle, so that one too many would be seen.
    var customerRecords = customerCommands(job, Duration.ofSeconds(1));
    Map<Long, Integer> seen = new HashMap<>();
    Map<Long, LegacyCustomerImportRequested> last = new HashMap<>();
    for (var r : customerRecords) {
      var c = envelope.data(Envelope.deserialize(r.value()), LegacyCustomerImportRequested.class);
      long user = pk(c.legacyRef(), "users");
      assertThat(r.key()).isEqualTo(c.customerId().toString());
      assertThat(c.customerId()).isEqualTo(ids.customer(user));
      seen.merge(user, 1, Integer::sum);
      last.put(user, c);
    }
    assertThat(seen).isEqualTo(customers);
    users.forEach(
        (id, u) -> {
          var c = last.get(id);
          assertThat(c.email()).isEqualTo(u.email());
          assertThat(c.displayName()).isEqualTo(u.name());
          assertThat(c.createdAt()).isEqualTo(u.createdAt());
          assertThat(c.deleted()).as("user " + id).isEqualTo(u.deleted());
        });
    Map<Long, Integer> walletsSeen = new HashMap<>();
    Map<Long, LegacyWalletImportRequested> lastWallet = new HashMap<>();
    for (var r : walletCommands(job, Duration.ZERO)) {
      var w = envelope.data(Envelope.deserialize(r.value()), LegacyWalletImportRequested.class);
      long wallet = pk(w.legacyRef(), "wallets");
      assertThat(r.key()).isEqualTo(w.customerId().toString());
      walletsSeen.merge(wallet, 1, Integer::sum);
      lastWallet.put(wallet, w);
    }
    assertThat(walletsSeen).isEqualTo(walletCounts);
    walletCounts
        .keySet()
        .forEach(
            id -> {
              Wallet legacy = wallets.get(id);
              var w = lastWallet.get(id);
              assertThat(w.walletId()).isEqualTo(ids.walletAccount(id));
              assertThat(w.customerId()).isEqualTo(ids.customer(legacy.userId()));
              assertThat(w.asset()).isEqualTo(legacy.asset());
              assertThat(w.deleted()).as("wallet " + id).isEqualTo(legacy.deleted());
            });
  }

  /** In the runner's outbox, every wallet command of these users follows a command of its user. */
  private void assertCustomersBeforeTheirWallets(LegacyIds ids, Set<Long> users) {
    Set<String> customers = new HashSet<>();
    users.forEach(u -> customers.add(ids.customer(u).toString()));
    // The outbox in its order, group rows expanded: what the relay publishes, in that order.
    List<OutboxGroup.Event> events = new ArrayList<>();
    jdbc.sql(
            "select event_id, event_type, topic, aggregate_id, payload from outbox_event order by seq")
        .query(
            rs -> {
              if (OutboxGroup.TYPE.equals(rs.getString(2))) {
                events.addAll(OutboxGroup.decode(rs.getBytes(5)));
              } else {
                events.add(
                    new OutboxGroup.Event(
                        rs.getObject(1, UUID.class), rs.getString(3), rs.getString(4), null));
              }
            });
    Set<String> announced = new HashSet<>();
    List<String> early = new ArrayList<>();
    long wallets = 0;
    for (OutboxGroup.Event e : events) {
      if (!customers.contains(e.key())) {
        continue;
      }
      if (e.topic().equals(Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED)) {
        announced.add(e.key());
      } else if (e.topic().equals(Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED)) {
        wallets++;
        if (!announced.contains(e.key())) {
          early.add(e.key());
        }
      }
    }
    assertThat(wallets).as("wallet commands in the outbox").isPositive();
    assertThat(early).as("wallet commands ahead of their customer's").isEmpty();
  }

  private List<ConsumerRecord<String, byte[]>> customerCommands(UUID job, Duration settle) {
    return commands(
        Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED,
        job,
        settle,
        e -> envelope.data(e, LegacyCustomerImportRequested.class).jobId());
  }

  private List<ConsumerRecord<String, byte[]>> walletCommands(UUID job, Duration settle) {
    return commands(
        Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED,
        job,
        settle,
        e -> envelope.data(e, LegacyWalletImportRequested.class).jobId());
  }

  private final Map<String, KafkaProbe> probes = new HashMap<>();

  private List<ConsumerRecord<String, byte[]>> commands(
      String topic, UUID job, Duration settle, Function<io.cloudevents.CloudEvent, UUID> jobOf) {
    KafkaProbe probe = probes.computeIfAbsent(topic, KafkaProbe::new);
    return probe.all(
        r -> job.equals(jobOf.apply(Envelope.deserialize(r.value()))),
        settle.isZero() ? Duration.ofMillis(1) : settle);
  }

  private List<LegacyCutoverRecorded> awaitCutoverRecords(UUID job, int expected)
      throws InterruptedException {
    List<LegacyCutoverRecorded> out = new ArrayList<>();
    awaitTrue(
        () -> {
          out.clear();
          for (var r :
              commands(
                  Topics.MIGRATION_CUTOVER_RECORDED,
                  job,
                  Duration.ofMillis(300),
                  e -> envelope.data(e, LegacyCutoverRecorded.class).jobId())) {
            assertThat(r.key()).isEqualTo(job.toString());
            out.add(envelope.data(Envelope.deserialize(r.value()), LegacyCutoverRecorded.class));
          }
          return out.size() >= expected;
        },
        expected + " cutover records");
    return List.copyOf(out);
  }

  private LegacyCutoverRecorded awaitCutoverRecord(UUID job, String status)
      throws InterruptedException {
    List<LegacyCutoverRecorded> records = new ArrayList<>();
    awaitTrue(
        () -> {
          records.clear();
          records.addAll(
              commands(
                      Topics.MIGRATION_CUTOVER_RECORDED,
                      job,
                      Duration.ofMillis(300),
                      e -> envelope.data(e, LegacyCutoverRecorded.class).jobId())
                  .stream()
                  .map(
                      r ->
                          envelope.data(
                              Envelope.deserialize(r.value()), LegacyCutoverRecorded.class))
                  .filter(c -> c.status().equals(status))
                  .toList());
          return !records.isEmpty();
        },
        "cutover record " + status);
    assertThat(records).hasSize(1);
    return records.get(0);
  }

  private List<UUID> walletAccounts(UUID job) {
    return jdbc.sql(
            """
            select w.account_id from legacy_wallet w
            join ledger_account a on a.account_id = w.account_id
            where w.job_id = ? and a.code = 'customer'""")
        .param(job)
        .query(UUID.class)
        .list();
  }

  private Map<String, String> failures(UUID job) {
    Map<String, String> out = new HashMap<>();
    api()
        .get("/v1/migrations/" + job + "/report")
        .path("failures")
        .forEach(
            f ->
                out.put(
                    f.path("table").asString() + ":" + f.path("pk").asString(),
                    f.path("reason").asString()));
    return out;
  }

  private static Set<UUID> uuids(JsonNode array) {
    Set<UUID> out = new HashSet<>();
    array.forEach(n -> out.add(UUID.fromString(n.asString())));
    return out;
  }

  private static long pk(String legacyRef, String table) {
    assertThat(legacyRef).startsWith("legacy:" + table + ":");
    return Long.parseLong(legacyRef.substring(legacyRef.lastIndexOf(':') + 1));
  }

  private static long firstLive(Map<Long, User> users, int skip) {
    return users.values().stream()
        .filter(u -> !u.deleted())
        .mapToLong(User::id)
        .sorted()
        .skip(skip)
        .findFirst()
        .orElseThrow();
  }

  private static long insertWallet(
      java.sql.Statement st, long user, String currency, String balance) throws SQLException {
    var rs =
        st.executeQuery(
            "insert into wallets (user_id, currency, balance, created_at, updated_at) values ("
                + user
                + ", '"
                + currency
                + "', "
                + balance
                + ", now(), now()) returning id");
    rs.next();
    return rs.getLong(1);
  }

  private static void insertUser(java.sql.Statement st, long id, String email) throws SQLException {
    st.execute(
        "insert into users (id, email, full_name, created_at) values ("
            + id
            + ", '"
            + email
            + "', 'User "
            + id
            + "', '2021-06-01 10:00:00')");
  }

  private static Map<Long, User> users(String legacyUrl) throws Exception {
    Map<Long, User> out = new HashMap<>();
    try (Connection legacy = JobApi.connect(legacyUrl);
        var st = legacy.createStatement();
        var rs =
            st.executeQuery("select id, email, full_name, created_at, deleted_at from users")) {
      while (rs.next()) {
        out.put(
            rs.getLong(1),
            new User(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                LegacyTime.toUtc(rs.getObject(4, LocalDateTime.class), LEGACY_ZONE),
                rs.getObject(5) != null));
      }
    }
    return out;
  }

  /** The wallets of a platform asset. */
  private static Map<Long, Wallet> wallets(String legacyUrl) throws Exception {
    Map<Long, Wallet> out = new HashMap<>();
    try (Connection legacy = JobApi.connect(legacyUrl);
        var st = legacy.createStatement();
        var rs = st.executeQuery("select id, user_id, upper(currency), deleted from wallets")) {
      while (rs.next()) {
        out.put(
            rs.getLong(1),
            new Wallet(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getInt(4) != 0));
      }
    }
    return out;
  }

  /** A legacy deposit as the legacy app writes one: "ok", or the database's refusal. */
  private static String legacyDeposit(String legacyUrl) {
    try (Connection legacy = JobApi.connect(legacyUrl)) {
      new LegacyWriter(legacy, Clock.systemUTC(), LEGACY_ZONE).deposit(1, new BigDecimal("1"));
      return "ok";
    } catch (Exception e) {
      return e.getMessage();
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    JobTables.awaitTrue(condition, what, WAIT_MAX);
  }

  @AfterEach
  void closeProbes() {
    probes.values().forEach(KafkaProbe::close);
    probes.clear();
  }

  /**
   * Stops this class's jobs and drops their replication slots: the test server allows only a few
   * slots, shared with every other IT class of this JVM, and a left job keeps its slot (and its
   * WAL) for good.
   */
  @AfterEach
  void releaseSlots() throws Exception {
    record Job(UUID id, String url, String user, String password, String slot, String pub) {}
    List<Job> jobs =
        jdbc.sql(
                """
                select id, source_url, source_user, source_password, slot_name, publication_name
                from migration_job""")
            .query(
                (rs, i) ->
                    new Job(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6)))
            .list();
    for (Job job : jobs) {
      if (runner.isRunning(job.id())) {
        runner.pause(job.id());
      }
      try (Connection legacy = DriverManager.getConnection(job.url(), job.user(), job.password())) {
        SlotCheck.release(legacy, job.slot(), job.pub(), WAIT_MAX);
      }
    }
  }
}
