package io.tpwallet.migration.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferRequested;
import io.tpwallet.common.event.TransfersRequested;
import io.tpwallet.common.id.Ids;
import io.tpwallet.migration.cdc.ChangeEvent;
import io.tpwallet.migration.cli.MigrateCli;
import io.tpwallet.migration.legacy.LegacySeeder;
import io.tpwallet.migration.legacy.LegacyTraffic;
import io.tpwallet.migration.legacy.LegacyWriter;
import io.tpwallet.migration.transform.LegacyIds;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.KafkaProbe;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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
 * What happens while a job streams, on a real legacy PostgreSQL and Kafka with the in-process fake
 * ledger posting the job's commands. The continuous reconciliation: live traffic while the runner
 * lags behind is never flagged; a legacy balance edited without a transaction and a transfer made
 * in the ledger directly are flagged with their reasons while the traffic goes on, and cleared once
 * undone. A resync (Debezium incremental snapshot, read-only watermarks, signalled in process) of
 * the transactions table during live traffic: every row read again, nothing posted twice, legacy,
 * the runner and the ledger still agree.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StreamingIT {

  private static final Duration WAIT_MAX = Duration.ofSeconds(60);
  private static final FakeLedger LEDGER = new FakeLedger();

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "migration");
    registry.add("tpw.outbox.poll-interval", () -> "50ms");
    registry.add("tpw.ledger.url", LEDGER::url);
    registry.add("tpw.migration.reconcile.interval", () -> "300ms");
  }

  @LocalServerPort int port;
  @Autowired JobRunner runner;
  @Autowired Envelope envelope;
  @Autowired JsonMapper json;
  @Autowired MeterRegistry meters;
  @Autowired JdbcClient jdbc;

  @Test
  void lagIsNeverFlaggedDriftsAreFlaggedWithTheirReasonAndClearedWhenUndone() throws Exception {
    JobApi api = new JobApi(port, json);
    String legacyUrl = JobApi.legacyDatabase();
    List<Long> btc = new ArrayList<>();
    try (Connection legacy = JobApi.connect(legacyUrl)) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(30, 300, 7, 1));
      try (var st = legacy.createStatement();
          var rs =
              st.executeQuery(
                  "select id from wallets where deleted = 0 and upper(trim(currency)) = 'BTC'"
                      + " order by id limit 2")) {
        while (rs.next()) {
          btc.add(rs.getLong(1));
        }
      }
    }
    assertThat(btc).hasSize(2);
    long legacyDrift = btc.get(0);
    long ledgerDrift = btc.get(1);
    UUID namespace = Ids.newId();
    UUID ledgerDriftAccount = new LegacyIds(namespace).walletAccount(ledgerDrift);

    UUID job = api.create(legacyUrl, false, namespace);
    try (var posting = LEDGER.post(job, envelope)) {
      assertThat(api.send("POST", "/v1/migrations/" + job + "/start", "").statusCode())
          .isEqualTo(202);
      await(() -> api.status(job).path("phase").asString().equals("STREAMING"), "streaming");
      // Once the ledger has answered the snapshot, a pass finds every wallet equal.
      await(
          () -> {
            JsonNode r = api.status(job).path("reconciliation");
            return r.path("accountsChecked").asInt() > 0
                && r.path("awaitingLag").asInt() == 0
                && r.path("ledgerCompared").asBoolean();
          },
          "a pass with every wallet equal");
      assertThat(api.status(job).path("reconciliation").path("mismatchCount").asInt()).isZero();

      // The runner lags (each batch held back 0.8 s) under live traffic on the USD wallets; the
      // two drifts are made on BTC wallets, which the traffic does not touch.
      runner.injectDelay(job, Duration.ofMillis(800));
      CompletableFuture<Long> traffic = traffic(legacyUrl, 20, 8, 3);
      Thread.sleep(1_500);
      try (Connection legacy = JobApi.connect(legacyUrl);
          var st = legacy.createStatement()) {
        st.execute("update wallets set balance = balance + 0.5 where id = " + legacyDrift);
      }
      LEDGER.postDirectly(ledgerDriftAccount, BigInteger.valueOf(12_345));

      Map<Long, String> flagged = new HashMap<>();
      int awaitingLagMax = 0;
      long lagMsMax = 0;
      while (!traffic.isDone()) {
        JsonNode s = api.status(job);
        awaitingLagMax =
            Math.max(awaitingLagMax, s.path("reconciliation").path("awaitingLag").asInt());
        lagMsMax = Math.max(lagMsMax, s.path("lagMs").asLong());
        for (JsonNode m : s.path("reconciliation").path("mismatches")) {
          flagged.put(m.path("walletId").asLong(), m.path("reason").asString());
        }
        Thread.sleep(100);
      }
      assertThat(traffic.get()).isGreaterThan(100);
      // The passes saw the lag (wallets differing while the runner was behind) ...
      assertThat(lagMsMax).isGreaterThanOrEqualTo(800);
      assertThat(awaitingLagMax).isPositive();
      runner.injectDelay(job, Duration.ZERO);
      await(
          () ->
              api.status(job).path("reconciliation").path("mismatchCount").asInt() == 2
                  && api.status(job).path("reconciliation").path("awaitingLag").asInt() == 0,
          "both drifts flagged, nothing else differing");
      for (JsonNode m : api.status(job).path("reconciliation").path("mismatches")) {
        flagged.put(m.path("walletId").asLong(), m.path("reason").asString());
      }
      // ... and flagged only the two drifts, each with its reason.
      assertThat(flagged)
          .containsOnly(
              Map.entry(legacyDrift, ContinuousReconciliation.BALANCE_WITHOUT_TRANSACTION),
              Map.entry(ledgerDrift, ContinuousReconciliation.LEDGER_BALANCE_DIFFERS));
      JsonNode report = api.get("/v1/migrations/" + job + "/report");
      assertThat(report.path("clean").asBoolean()).isFalse();
      assertThat(report.path("streaming").path("mismatches")).hasSize(2);
      JsonNode ledgerMismatch =
          api.status(job)
              .path("reconciliation")
              .path("mismatches")
              .get(legacyDrift < ledgerDrift ? 1 : 0);
      assertThat(ledgerMismatch.path("ledgerBalance").asString())
          .isEqualTo(
              new BigInteger(ledgerMismatch.path("legacyBalance").asString())
                  .add(BigInteger.valueOf(12_345))
                  .toString());
      await(() -> mismatchGauge(job) == 2, "tpw_migration_mismatches at 2");

      // Undone: the legacy balance set back, the ledger transfer compensated.
      try (Connection legacy = JobApi.connect(legacyUrl);
          var st = legacy.createStatement()) {
        st.execute("update wallets set balance = balance - 0.5 where id = " + legacyDrift);
      }
      LEDGER.postDirectly(ledgerDriftAccount, BigInteger.valueOf(-12_345));
      await(
          () -> api.status(job).path("reconciliation").path("mismatchCount").asInt() == 0,
          "mismatches cleared");
      await(() -> mismatchGauge(job) == 0, "tpw_migration_mismatches at 0");
      assertThat(api.get("/v1/migrations/" + job + "/report").path("clean").asBoolean()).isTrue();
      assertThat(api.send("POST", "/v1/migrations/" + job + "/pause", "").statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void resyncMidStreamRereadsEveryRowPostsNothingTwiceAndStaysReconciled() throws Exception {
    JobApi api = new JobApi(port, json);
    String legacyUrl = JobApi.legacyDatabase();
    UUID namespace = Ids.newId();
    try (Connection legacy = JobApi.connect(legacyUrl)) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(30, 3_000, 5, 1));
    }
    long seededMax;
    try (Connection legacy = JobApi.connect(legacyUrl);
        var st = legacy.createStatement();
        var rs = st.executeQuery("select max(id) from transactions")) {
      rs.next();
      seededMax = rs.getLong(1);
    }
    UUID job = api.create(legacyUrl, false, namespace);
    String base = "/v1/migrations/" + job;
    try (var posting = LEDGER.post(job, envelope)) {
      assertThat(api.send("POST", base + "/start", "").statusCode()).isEqualTo(202);
      await(() -> api.status(job).path("phase").asString().equals("STREAMING"), "streaming");
      long commandsBefore = commands(job);

      // Not a legacy table, or no body: 400 problem, nothing recorded.
      var bad = api.send("POST", base + "/resync", "{\"table\":\"accounts\"}");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(json.readTree(bad.body()).path("detail").asString()).contains("transactions");
      assertThat(api.send("POST", base + "/resync", "{}").statusCode()).isEqualTo(400);
      assertThat(resyncs(job)).isZero();

      CompletableFuture<Long> traffic = traffic(legacyUrl, 20, 6, 9);
      Thread.sleep(1_000);
      var asked = api.send("POST", base + "/resync", "{\"table\":\"transactions\"}");
      assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);
      long rowsTotal = json.readTree(asked.body()).path("rowsTotal").asLong();
      assertThat(rowsTotal).isGreaterThanOrEqualTo(3_000);
      await(
          () -> api.status(job).path("resync").path("rowsRead").asLong() >= rowsTotal,
          "every row of transactions read again");
      assertThat(api.status(job).path("resync").path("table").asString()).isEqualTo("transactions");
      assertThat(traffic.get()).isGreaterThan(50);

      // Legacy, the runner and the ledger agree; the re-read rows made no command of their own.
      JsonNode report = api.get(base + "/report?ledger=true&waitSeconds=60");
      assertThat(report.path("ledger").path("settled").asBoolean()).isTrue();
      assertThat(report.path("ledger").path("unexplained").asLong()).isZero();
      assertThat(report.path("mismatches")).isEmpty();
      assertThat(report.path("clean").asBoolean()).as(report.toString()).isTrue();
      Map<UUID, Integer> published = published(job);
      assertThat(published.values()).allMatch(n -> n == 1);
      long commandsAfter = commands(job);
      assertThat(published).hasSize((int) commandsAfter);
      // Only the live traffic added commands: each of its successful rows one.
      assertThat(commandsAfter - commandsBefore)
          .isEqualTo(
              jdbc.sql(
                      "select count(*) from legacy_tx where job_id = ? and state = 'POSTED'"
                          + " and tx_id > ?")
                  .params(job, seededMax)
                  .query(Long.class)
                  .single());
      await(
          () -> {
            JsonNode r = api.status(job).path("reconciliation");
            return r.path("accountsChecked").asInt() > 0
                && r.path("awaitingLag").asInt() == 0
                && r.path("mismatchCount").asInt() == 0;
          },
          "the continuous reconciliation clean after the resync");
      // The CLI, round trip against this runner: validate clean, a bad resync as its problem,
      // pause, and a watch that ends at PAUSED.
      assertThat(cli("validate", job.toString())).isZero();
      assertThat(cliOut.toString()).startsWith("clean: ").contains("wallets checked");
      assertThat(cli("resync", job.toString(), "--table", "accounts"))
          .isEqualTo(MigrateCli.EXIT_PROBLEM);
      assertThat(cliErr.toString())
          .contains("HTTP 400 Invalid migration")
          .contains("table must be");
      assertThat(cli("pause", job.toString())).isZero();
      assertThat(cli("status", job.toString(), "--watch")).isZero();
      assertThat(cliOut.toString()).contains("PAUSED").contains("100%");
    }
  }

  @Test
  void aResyncLostWithTheEngineBeforeItsProgressWasStoredIsAskedAgainOnResume() throws Exception {
    JobApi api = new JobApi(port, json);
    String legacyUrl = JobApi.legacyDatabase();
    try (Connection legacy = JobApi.connect(legacyUrl)) {
      LegacySeeder.seed(legacy, new LegacySeeder.Plan(20, 600, 7, 1));
    }
    UUID job = api.create(legacyUrl, false, Ids.newId());
    String base = "/v1/migrations/" + job;
    try (var posting = LEDGER.post(job, envelope)) {
      assertThat(api.send("POST", base + "/start", "").statusCode()).isEqualTo(202);
      await(() -> api.status(job).path("phase").asString().equals("STREAMING"), "streaming");
      long commandsBefore = commands(job);

      // The engine fails on the resync's first chunk before that batch is committed, so no
      // stored offset carries the resync: a new engine alone would never read the table again.
      runner.injectFault(
          job,
          JobRunner.FaultPoint.BEFORE_COMMIT,
          e -> e.op() == ChangeEvent.Op.READ && !e.fromSnapshot());
      var asked = api.send("POST", base + "/resync", "{\"table\":\"transactions\"}");
      assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);
      long rowsTotal = json.readTree(asked.body()).path("rowsTotal").asLong();
      await(() -> api.status(job).path("phase").asString().equals("FAILED"), "engine failed");
      assertThat(api.status(job).path("error").asString()).contains("injected fault");

      assertThat(api.send("POST", base + "/resume", "").statusCode()).isEqualTo(202);
      await(
          () -> api.status(job).path("resync").path("rowsRead").asLong() >= rowsTotal,
          "every row of transactions read again after the resume");
      assertThat(api.status(job).path("phase").asString()).isEqualTo("STREAMING");
      JsonNode report = api.get(base + "/report?ledger=true&waitSeconds=60");
      assertThat(report.path("clean").asBoolean()).as(report.toString()).isTrue();
      // The re-read rows posted nothing: no live traffic, so not one command more.
      assertThat(commands(job)).isEqualTo(commandsBefore);
      assertThat(published(job).values()).allMatch(n -> n == 1);
    }
  }

  private final StringWriter cliOut = new StringWriter();
  private final StringWriter cliErr = new StringWriter();

  private int cli(String... args) {
    return MigrateCli.run(
        args,
        Map.of("TPW_MIGRATION_URL", "http://127.0.0.1:" + port),
        new PrintWriter(cliOut, true),
        new PrintWriter(cliErr, true));
  }

  private long commands(UUID job) {
    return jdbc.sql("select count(*) from ledger_command where job_id = ?")
        .param(job)
        .query(Long.class)
        .single();
  }

  private long resyncs(UUID job) {
    return jdbc.sql("select count(*) from migration_resync where job_id = ?")
        .param(job)
        .query(Long.class)
        .single();
  }

  /** The job's TransferRequested on Kafka: how often each transfer id came. */
  private Map<UUID, Integer> published(UUID job) {
    String key = CommandKeys.prefix(job);
    Map<UUID, Integer> counts = new HashMap<>();
    try (var probe = new KafkaProbe(Topics.LEDGER_TRANSFERS_REQUESTED)) {
      for (var record :
          probe.all(r -> r.key() != null && r.key().startsWith(key), Duration.ofSeconds(3))) {
        var batch = envelope.data(Envelope.deserialize(record.value()), TransfersRequested.class);
        for (TransferRequested t : batch.transfers()) {
          counts.merge(t.transferId(), 1, Integer::sum);
        }
      }
    }
    return counts;
  }

  private double mismatchGauge(UUID job) {
    var gauge = meters.find("tpw.migration.mismatches").tag("job", job.toString()).gauge();
    return gauge == null ? -1 : gauge.value();
  }

  /** Live legacy traffic on the USD wallets, in the background. */
  private static CompletableFuture<Long> traffic(
      String legacyUrl, int tps, int seconds, long seed) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection legacy = JobApi.connect(legacyUrl)) {
            var writer = new LegacyWriter(legacy, Clock.systemUTC(), ZoneId.of("Asia/Shanghai"));
            return LegacyTraffic.run(legacy, writer, tps, seconds, seed);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    JobTables.awaitTrue(condition, what, WAIT_MAX);
  }
}
