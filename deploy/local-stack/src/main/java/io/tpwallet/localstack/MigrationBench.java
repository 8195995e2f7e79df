package io.tpwallet.localstack;

import io.tpwallet.localstack.MigrationDemo.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * The migration benchmark ({@code ./tpw bench migration}), a bounded driver against the running
 * stack: seeds a legacy wallet of N transactions on the stack's PostgreSQL, migrates it with a new
 * job and prints (1) snapshot rows/s into the runner (captured, mapped, commands in the outbox) and
 * end to end until the ledger has answered every command, (2) the runner's lag (legacy commit to
 * applied) while the legacy CLI writes R tx/s for S seconds, p50/p99 over every batch seen, and (3)
 * how long a trigger cutover kept legacy writes frozen. Then it rolls back and abandons the job
 * (which drops its slot).
 *
 * <p>Usage: {@code MigrationBench migrationUrl migrationJar postgresLegacyUrl [transactions] [tps]
 * [seconds]}, defaults 1,000,000, 2,000 and 30; at most 10,000,000 transactions, 5,000 tx/s, 600 s.
 * The end-to-end wait for the ledger is bounded by 600 s.
 */
public final class MigrationBench {

  static final String DATABASE = "legacy_bench";
  static final Duration POLL = Duration.ofMillis(100);
  static final Duration SNAPSHOT_MAX = Duration.ofMinutes(30);
  static final int LEDGER_WAIT_SECONDS = 600;
  // The runner answers a report after at most the wait plus reading every wallet's balance.
  static final Duration CALL_MAX = Duration.ofSeconds(LEDGER_WAIT_SECONDS + 300);

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println(
          "usage: MigrationBench migrationUrl migrationJar postgresLegacyUrl [tx] [tps] [seconds]");
      System.exit(2);
    }
    int tx = bounded(args, 3, 1_000_000, 10_000_000);
    int tps = bounded(args, 4, 2_000, 5_000);
    int seconds = bounded(args, 5, 30, 600);
    var source =
        new Source(
            "PostgreSQL",
            args[2].replaceFirst("^(jdbc:postgresql://[^/?]+)(/[^?]*)?", "$1/" + DATABASE),
            System.getenv().getOrDefault("TPW_PG_USER", "postgres"),
            System.getenv().getOrDefault("TPW_PG_PASSWORD", ""));
    var demo =
        new MigrationDemo(
            java.net.URI.create(args[0].replaceAll("/+$", "")), Path.of(args[1]), null);
    System.out.printf(
        "migration benchmark: %,d legacy transactions, then %,d tx/s for %d s; load average %s%n",
        tx, tps, seconds, loadAverage());

    long seedStarted = System.nanoTime();
    JsonNode seeded =
        demo.json()
            .readTree(
                MigrationDemo.lastJsonLine(
                    demo.legacyCli(
                        source,
                        "seed",
                        "--users",
                        String.valueOf(Math.max(100, tx / 100)),
                        "--tx",
                        String.valueOf(tx),
                        "--anomalies",
                        "0",
                        "--reset")));
    System.out.printf(
        "seeded %,d users, %,d wallets, %,d transactions in %,d ms%n",
        seeded.path("users").asLong(),
        seeded.path("wallets").asLong(),
        seeded.path("transactions").asLong(),
        (System.nanoTime() - seedStarted) / 1_000_000);

    String job = demo.createJob(source, "bench");
    Instant started = Instant.now();
    demo.call("POST", "/v1/migrations/" + job + "/start", "", 202);
    JsonNode status =
        demo.await(
            job, s -> s.path("snapshotCompletedAt").isString(), "the snapshot", SNAPSHOT_MAX);
    Instant snapshotted = Instant.parse(status.path("snapshotCompletedAt").asString());
    long rows = status.path("rowsSnapshotted").asLong();
    double snapshotSeconds = Duration.between(started, snapshotted).toMillis() / 1000.0;
    System.out.printf(
        "snapshot: %,d rows in %.1f s = %,.0f rows/s into the runner (goal >= 20,000 end to end);"
            + " load average %s%n",
        rows, snapshotSeconds, rows / snapshotSeconds, loadAverage());

    JsonNode report =
        demo.call(
            "GET",
            "/v1/migrations/" + job + "/report?ledger=true&waitSeconds=" + LEDGER_WAIT_SECONDS,
            null,
            200,
            CALL_MAX);
    JsonNode ledger = report.path("ledger");
    double endToEnd = Duration.between(started, Instant.now()).toMillis() / 1000.0;
    System.out.printf(
        "end to end: ledger settled=%s after %.1f s (%,d commands unanswered, %,d rejected) ="
            + " %,.0f rows/s; load average %s%n",
        ledger.path("settled").asBoolean(),
        endToEnd,
        ledger.path("commandsUnanswered").asLong(),
        ledger.path("commandsRejected").asLong(),
        rows / endToEnd,
        loadAverage());

    // Streaming: every change of applied-at is one batch; its lag is commit to applied.
    List<Long> lags = new ArrayList<>();
    Process traffic =
        demo.legacyCliProcess(
            source, "traffic", "--tps", String.valueOf(tps), "--seconds", String.valueOf(seconds));
    String lastApplied = "";
    long trafficStarted = System.nanoTime();
    while (traffic.isAlive()
        && System.nanoTime() - trafficStarted < TimeUnit.SECONDS.toNanos(seconds + 60L)) {
      status = demo.call("GET", "/v1/migrations/" + job, null, 200);
      String applied = status.path("lastEventAppliedAt").asString();
      if (!applied.equals(lastApplied) && status.path("lagMs").isNumber()) {
        lags.add(status.path("lagMs").asLong());
        lastApplied = applied;
      }
      Thread.sleep(POLL.toMillis());
    }
    String trafficOut = new String(traffic.getInputStream().readAllBytes());
    traffic.destroyForcibly();
    Collections.sort(lags);
    System.out.printf(
        "streaming: legacy traffic %s; lag over %d batches: p50 %s ms, p99 %s ms, max %s ms (goal"
            + " p99 <= 1,000 ms at 2,000 tx/s); load average %s%n",
        MigrationDemo.lastJsonLine(trafficOut),
        lags.size(),
        percentile(lags, 50),
        percentile(lags, 99),
        lags.isEmpty() ? "-" : lags.get(lags.size() - 1),
        loadAverage());

    // As the runbook does: reconcile while legacy is still live, then open the window; the freeze
    // then covers only the drain of the last seconds and their answers.
    long settleStarted = System.nanoTime();
    JsonNode settled =
        demo.call(
                "GET",
                "/v1/migrations/" + job + "/report?ledger=true&waitSeconds=" + LEDGER_WAIT_SECONDS,
                null,
                200,
                CALL_MAX)
            .path("ledger");
    System.out.printf(
        "after the traffic: ledger settled=%s in %,d ms, %d differences%n",
        settled.path("settled").asBoolean(),
        (System.nanoTime() - settleStarted) / 1_000_000,
        settled.path("differences").size());
    JsonNode cut =
        demo.call(
            "POST",
            "/v1/migrations/" + job + "/cutover",
            "{\"freezeMethod\":\"TRIGGER\",\"drainSeconds\":120,\"answerSeconds\":120}",
            200,
            CALL_MAX);
    System.out.printf(
        "cutover: %s, legacy writes frozen %s ms (goal <= 10,000 ms)%s%n",
        cut.path("status").asString(),
        cut.path("frozenMs").asString(),
        "SWITCHED".equals(cut.path("status").asString()) ? "" : ": " + cut.path("detail"));
    if ("SWITCHED".equals(cut.path("status").asString())) {
      demo.call("POST", "/v1/migrations/" + job + "/rollback", "", 200);
    }
    demo.call("POST", "/v1/migrations/" + job + "/abandon", "", 200);
    System.out.println("job " + job + " rolled back and abandoned (its slot dropped)");
  }

  private static String percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return "-";
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return String.valueOf(sorted.get(Math.max(0, rank - 1)));
  }

  private static int bounded(String[] args, int index, int otherwise, int max) {
    int value = args.length > index ? Integer.parseInt(args[index]) : otherwise;
    if (value < 1 || value > max) {
      throw new IllegalArgumentException("argument " + index + " must be 1.." + max);
    }
    return value;
  }

  private static String loadAverage() {
    try {
      return String.join(
          " ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
    } catch (Exception e) {
      return "?";
    }
  }
}
