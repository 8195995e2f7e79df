package io.tpwallet.migration.job;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tpwallet.common.thread.DaemonThreads;
import jakarta.annotation.PreDestroy;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Per-job Micrometer meters (tag {@code job}), read from the stored progress once a second so that
 * a scrape never touches the database: {@code tpw_migration_lag_ms}, {@code
 * tpw_migration_events_total} (a counter: {@code rate()} gives events/s), {@code
 * tpw_migration_rows_snapshotted}, {@code tpw_migration_rows_total}, {@code tpw_migration_failures}
 * and {@code tpw_migration_mismatches} (wallets the continuous reconciliation flagged).
 */
@Component
class MigrationMetrics {

  private static final Logger log = LoggerFactory.getLogger(MigrationMetrics.class);

  /** The last stored progress of one job, read at {@code readNanos}. */
  private record Progress(
      long rowsSnapshotted,
      long rowsTotal,
      long eventsStreamed,
      double lagMs,
      long failures,
      long mismatches,
      long readNanos) {}

  /** Streamed changes and snapshotted rows per second between the last two reads. */
  record Rates(double eventsPerSecond, double rowsPerSecond) {}

  private final MeterRegistry registry;
  private final MigrationJobs jobs;
  private final JdbcClient jdbc;
  private final Map<UUID, Progress> progress = new ConcurrentHashMap<>();
  private final Map<UUID, Rates> rates = new ConcurrentHashMap<>();
  private final ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("migration-metrics"));

  MigrationMetrics(MeterRegistry registry, MigrationJobs jobs, JdbcClient jdbc) {
    this.registry = registry;
    this.jobs = jobs;
    this.jdbc = jdbc;
    refresher.scheduleWithFixedDelay(this::refreshQuietly, 1, 1, TimeUnit.SECONDS);
  }

  @PreDestroy
  void stop() {
    refresher.shutdownNow();
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      log.debug("migration metrics not refreshed: {}", e.toString());
    }
  }

  void refresh() {
    Map<UUID, Long> failures = new ConcurrentHashMap<>();
    jdbc.sql("select job_id, count(*) from migration_failure group by job_id")
        .query((RowCallbackHandler) rs -> failures.put(rs.getObject(1, UUID.class), rs.getLong(2)));
    Map<UUID, Long> mismatches = new ConcurrentHashMap<>();
    jdbc.sql("select job_id, count(*) from reconciliation_mismatch group by job_id")
        .query(
            (RowCallbackHandler) rs -> mismatches.put(rs.getObject(1, UUID.class), rs.getLong(2)));
    for (MigrationJob j : jobs.list()) {
      Progress p =
          new Progress(
              j.rowsSnapshotted(),
              j.rowsTotal() == null ? 0 : j.rowsTotal(),
              j.eventsStreamed(),
              j.lastLagMs() == null ? Double.NaN : j.lastLagMs(),
              failures.getOrDefault(j.id(), 0L),
              mismatches.getOrDefault(j.id(), 0L),
              System.nanoTime());
      Progress before = progress.put(j.id(), p);
      if (before == null) {
        register(j.id());
      } else {
        double seconds = (p.readNanos() - before.readNanos()) / 1e9;
        rates.put(
            j.id(),
            new Rates(
                (p.eventsStreamed() - before.eventsStreamed()) / seconds,
                (p.rowsSnapshotted() - before.rowsSnapshotted()) / seconds));
      }
    }
  }

  private void register(UUID id) {
    String job = id.toString();
    Gauge.builder("tpw.migration.lag.ms", () -> get(id).lagMs())
        .tag("job", job)
        .description("apply time minus legacy commit time of the last streamed change")
        .register(registry);
    FunctionCounter.builder("tpw.migration.events", id, k -> get(k).eventsStreamed())
        .tag("job", job)
        .description("legacy changes streamed")
        .register(registry);
    Gauge.builder("tpw.migration.rows.snapshotted", () -> get(id).rowsSnapshotted())
        .tag("job", job)
        .register(registry);
    Gauge.builder("tpw.migration.rows.total", () -> get(id).rowsTotal())
        .tag("job", job)
        .register(registry);
    Gauge.builder("tpw.migration.failures", () -> get(id).failures())
        .tag("job", job)
        .description("legacy rows not carried across")
        .register(registry);
    Gauge.builder("tpw.migration.mismatches", () -> get(id).mismatches())
        .tag("job", job)
        .description("wallets still different from legacy after the lag drained (continuous)")
        .register(registry);
  }

  /** The rates of a job, null until it has been read twice. */
  @Nullable Rates rates(UUID id) {
    return rates.get(id);
  }

  private Progress get(UUID id) {
    return progress.get(id);
  }
}
