package io.tpwallet.migration.job;

import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import io.tpwallet.migration.legacy.LegacySchema;
import io.tpwallet.migration.legacy.MariaDbFreeze;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The switch from legacy to the platform: freeze legacy writes, drain the lag to zero, reconcile
 * against the ledger, record the switch. If the lag does not drain or the reconciliation is not
 * clean, legacy is unfrozen again and the attempt is recorded as failed. Rollback unfreezes legacy
 * after a switch. The freeze trigger is the only thing the runner ever writes to the legacy
 * database.
 */
@Component
class Cutover {

  private static final Logger log = LoggerFactory.getLogger(Cutover.class);

  /** The trigger and function that reject legacy writes while frozen. */
  static final String FREEZE = "tpw_migration_freeze";

  static final Duration DRAIN_MAX = Duration.ofMinutes(5);
  private static final Duration POLL = Duration.ofMillis(250);

  /** How legacy writes are stopped. */
  enum FreezeMethod {
    /** A statement trigger on every legacy table that rejects INSERT, UPDATE, DELETE, TRUNCATE. */
    TRIGGER,
    /**
     * The migration team stops the legacy application itself (maintenance mode); the runner only
     * waits until legacy stops changing.
     */
    EXTERNAL
  }

  /** A cutover attempt as stored and shown in the job's status. */
  record Record(
      long id,
      String freezeMethod,
      String status,
      Instant startedAt,
      @Nullable Instant frozenAt,
      @Nullable Instant drainedAt,
      @Nullable Instant switchedAt,
      @Nullable Instant unfrozenAt,
      @Nullable Long frozenMs,
      @Nullable String detail) {}

  private final MigrationJobs jobs;
  private final JobRunner runner;
  private final Drain drain;
  private final Reconciliation reconciliation;
  private final JdbcClient jdbc;
  private final Clock clock;

  Cutover(
      MigrationJobs jobs,
      JobRunner runner,
      Drain drain,
      Reconciliation reconciliation,
      JdbcClient jdbc,
      Clock clock) {
    this.jobs = jobs;
    this.runner = runner;
    this.drain = drain;
    this.reconciliation = reconciliation;
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** Runs a cutover to the end (switched or failed) and answers the attempt. */
  synchronized Record cutover(UUID id, FreezeMethod method, Duration drainMax, Duration answerWait)
      throws SQLException {
    MigrationJob job = jobs.get(id);
    if (job.dryRun()) {
      throw conflict("job " + id + " is a dry run: there is nothing to cut over to");
    }
    if (job.phase() != Phase.STREAMING || !runner.isRunning(id)) {
      throw conflict("job " + id + " is " + job.phase() + "; a cutover needs a streaming job");
    }
    Instant started = clock.instant();
    long attempt =
        jdbc.sql(
                """
                insert into migration_cutover (job_id, freeze_method, status, started_at)
                values (?, ?, 'FREEZING', ?) returning id""")
            .params(id, method.name(), Timestamp.from(started))
            .query(Long.class)
            .single();
    jobs.phase(id, Phase.CUTTING_OVER, null);
    Instant frozenAt;
    try {
      if (method == FreezeMethod.TRIGGER) {
        freeze(job);
      }
      frozenAt = clock.instant();
      update(attempt, "DRAINING", "frozen_at", frozenAt);
    } catch (SQLException | RuntimeException e) {
      return fail(job, attempt, null, "freezing legacy writes failed: " + e.getMessage());
    }
    log.info("job {}: legacy frozen ({}), draining", id, method);
    try {
      if (!drained(job, drainMax)) {
        return fail(
            job, attempt, frozenAt, "the lag did not drain within " + drainMax.toSeconds() + " s");
      }
      update(attempt, "RECONCILING", "drained_at", clock.instant());
      Reconciliation.LedgerCheck check = reconciliation.ledgerCheck(id, answerWait);
      Reconciliation.Report report = reconciliation.report(id);
      if (!check.clean() || !report.clean()) {
        return fail(
            job,
            attempt,
            frozenAt,
            "reconciliation not clean: %d ledger differences (%d unexplained), %d unanswered, %d rejected, %d mismatches"
                .formatted(
                    check.differences().size(),
                    check.unexplained(),
                    check.commandsUnanswered(),
                    check.commandsRejected(),
                    report.mismatches().size()));
      }
    } catch (SQLException | RuntimeException e) {
      return fail(job, attempt, frozenAt, "cutover failed: " + e.getMessage());
    }
    Instant switched = clock.instant();
    jdbc.sql(
            """
            update migration_cutover set status = 'SWITCHED', switched_at = ?, frozen_ms = ?,
              detail = 'legacy stays frozen; the platform is the system of record'
            where id = ?""")
        .params(Timestamp.from(switched), Duration.between(frozenAt, switched).toMillis(), attempt)
        .update();
    jobs.phase(id, Phase.CUT_OVER, null);
    log.info(
        "job {}: cut over, legacy writes frozen for {} ms",
        id,
        Duration.between(frozenAt, switched).toMillis());
    return latest(id).orElseThrow();
  }

  /** Unfreezes legacy after a switch: the legacy wallet is the system of record again. */
  synchronized Record rollback(UUID id) throws SQLException {
    MigrationJob job = jobs.get(id);
    Record last = latest(id).orElseThrow(() -> conflict("job " + id + " was never cut over"));
    if (job.phase() != Phase.CUT_OVER || !last.status().equals("SWITCHED")) {
      throw conflict("job " + id + " is " + job.phase() + ", not cut over");
    }
    unfreeze(job);
    jdbc.sql(
            """
            update migration_cutover set status = 'ROLLED_BACK', unfrozen_at = ?,
              detail = 'rolled back: legacy writes accepted again'
            where id = ?""")
        .params(Timestamp.from(clock.instant()), last.id())
        .update();
    jobs.phase(id, runner.isRunning(id) ? Phase.STREAMING : Phase.PAUSED, null);
    return latest(id).orElseThrow();
  }

  Optional<Record> latest(UUID id) {
    return jdbc.sql(
            """
            select id, freeze_method, status, started_at, frozen_at, drained_at, switched_at,
              unfrozen_at, frozen_ms, detail
            from migration_cutover where job_id = ? order by id desc limit 1""")
        .param(id)
        .query(
            (rs, i) ->
                new Record(
                    rs.getLong(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getTimestamp(4).toInstant(),
                    instant(rs.getTimestamp(5)),
                    instant(rs.getTimestamp(6)),
                    instant(rs.getTimestamp(7)),
                    instant(rs.getTimestamp(8)),
                    (Long) rs.getObject(9),
                    rs.getString(10)))
        .optional();
  }

  /**
   * Drained: the runner's view equals the legacy tables, and nothing was applied between two looks
   * a heartbeat apart (two changes whose sums cancel out cannot pass both).
   */
  private boolean drained(MigrationJob job, Duration drainMax) throws SQLException {
    long deadline = System.nanoTime() + Math.min(drainMax.toNanos(), DRAIN_MAX.toNanos());
    long lastEvents = -1;
    while (System.nanoTime() < deadline) {
      MigrationJob now = jobs.get(job.id());
      if (drain.caughtUp(now)) {
        if (now.eventsStreamed() == lastEvents) {
          return true;
        }
        lastEvents = now.eventsStreamed();
        sleep(Duration.ofMillis(1_100));
      } else {
        lastEvents = -1;
        sleep(POLL);
      }
    }
    return false;
  }

  private Record fail(MigrationJob job, long attempt, @Nullable Instant frozenAt, String detail) {
    try {
      unfreeze(job);
    } catch (SQLException | RuntimeException e) {
      detail += "; UNFREEZING FAILED, drop trigger " + FREEZE + " by hand: " + e.getMessage();
    }
    Instant now = clock.instant();
    jdbc.sql(
            """
            update migration_cutover set status = 'FAILED', unfrozen_at = ?, frozen_ms = ?,
              detail = ? where id = ?""")
        .params(
            Timestamp.from(now),
            frozenAt == null ? null : Duration.between(frozenAt, now).toMillis(),
            detail,
            attempt)
        .update();
    jobs.phase(job.id(), runner.isRunning(job.id()) ? Phase.STREAMING : Phase.PAUSED, null);
    log.warn("job {}: cutover failed, legacy unfrozen: {}", job.id(), detail);
    return latest(job.id()).orElseThrow();
  }

  /**
   * Creates the freeze trigger on every legacy table, in one transaction. CREATE TRIGGER waits for
   * the writes in flight on each table to finish, so every write that succeeded is committed before
   * the freeze and every later one is rejected.
   */
  static void freeze(MigrationJob job) throws SQLException {
    try (Connection c = legacy(job);
        var st = c.createStatement()) {
      if (LegacySchema.isMariaDb(c)) {
        MariaDbFreeze.freeze(
            c, FREEZE, job.tables().stream().map(Cutover::plain).toList(), job.id());
        return;
      }
      c.setAutoCommit(false);
      st.execute(
          """
          create or replace function %s() returns trigger language plpgsql as $$
          begin
            raise exception 'legacy wallet is frozen for the migration cutover (job %s); writes are rejected'
              using errcode = 'P0001';
          end $$"""
              .formatted(FREEZE, job.id()));
      for (String table : job.tables()) {
        st.execute("drop trigger if exists " + FREEZE + " on " + plain(table));
        st.execute(
            "create trigger "
                + FREEZE
                + " before insert or update or delete or truncate on "
                + plain(table)
                + " for each statement execute function "
                + FREEZE
                + "()");
      }
      c.commit();
    }
  }

  static void unfreeze(MigrationJob job) throws SQLException {
    try (Connection c = legacy(job);
        var st = c.createStatement()) {
      if (LegacySchema.isMariaDb(c)) {
        MariaDbFreeze.unfreeze(c, FREEZE, job.tables().stream().map(Cutover::plain).toList());
        return;
      }
      c.setAutoCommit(false);
      for (String table : job.tables()) {
        st.execute("drop trigger if exists " + FREEZE + " on " + plain(table));
      }
      st.execute("drop function if exists " + FREEZE + "()");
      c.commit();
    }
  }

  private static String plain(String table) {
    if (!table.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("not a plain table name: " + table);
    }
    return table;
  }

  private static Connection legacy(MigrationJob job) throws SQLException {
    return DriverManager.getConnection(job.sourceUrl(), job.sourceUser(), job.sourcePassword());
  }

  private void update(long attempt, String status, String column, Instant at) {
    jdbc.sql("update migration_cutover set status = ?, " + column + " = ? where id = ?")
        .params(status, Timestamp.from(at), attempt)
        .update();
  }

  private static @Nullable Instant instant(@Nullable Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static ProblemException conflict(String detail) {
    return new ProblemException(HttpStatus.CONFLICT, ProblemTypes.CONFLICT, "Conflict", detail);
  }
}
