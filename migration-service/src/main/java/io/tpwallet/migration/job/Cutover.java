package io.tpwallet.migration.job;

import io.tpwallet.common.event.LegacyCutoverRecorded;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.outbox.Outbox;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import io.tpwallet.migration.ledger.AccountSpec;
import io.tpwallet.migration.ledger.LedgerLimits;
import io.tpwallet.migration.ledger.LedgerUnavailable;
import io.tpwallet.migration.legacy.LegacySchema;
import io.tpwallet.migration.legacy.MariaDbFreeze;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The switch from legacy to the platform: freeze legacy writes, drain the lag to zero, reconcile
 * against the ledger, give every migrated wallet account the ledger's no-overdraft limit, record
 * the switch and tell account-service ({@link LegacyCutoverRecorded}, in the same transaction). If
 * the lag does not drain, the reconciliation is not clean or the limits cannot be set, the limits
 * set are cleared, legacy is unfrozen again and the attempt is recorded as failed. Rollback clears
 * the limits (legacy history streamed after it may overdraw again), unfreezes legacy and tells
 * account-service. The freeze trigger is the only thing the runner ever writes to the legacy
 * database.
 *
 * <p>A wallet the ledger cannot limit because it is overdrawn at cutover (legacy history allowed
 * it) is held: it keeps its money and history, and account-service keeps it not payable.
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
      @Nullable String detail,
      @Nullable Long accountsLimited,
      @Nullable Long limitsMs,
      List<UUID> walletsHeld) {}

  private final MigrationJobs jobs;
  private final JobRunner runner;
  private final Drain drain;
  private final Reconciliation reconciliation;
  private final LedgerLimits limits;
  private final Outbox outbox;
  private final TransactionTemplate tx;
  private final JdbcClient jdbc;
  private final Clock clock;

  Cutover(
      MigrationJobs jobs,
      JobRunner runner,
      Drain drain,
      Reconciliation reconciliation,
      LedgerLimits limits,
      Outbox outbox,
      PlatformTransactionManager transactions,
      JdbcClient jdbc,
      Clock clock) {
    this.jobs = jobs;
    this.runner = runner;
    this.drain = drain;
    this.reconciliation = reconciliation;
    this.limits = limits;
    this.outbox = outbox;
    this.tx = new TransactionTemplate(transactions);
    this.jdbc = jdbc;
    this.clock = clock;
    runner.beforeCapture(this::recoverInterrupted);
  }

  /** The statuses of an attempt under way; one left in them was cut short by the runner's death. */
  private static final Set<String> UNDER_WAY =
      Set.of("FREEZING", "DRAINING", "RECONCILING", "LIMITING");

  /**
   * Fails the attempt a runner left unfinished when it died (killed mid-cutover): the limits it may
   * have set are cleared, legacy is unfrozen, and the attempt is recorded as failed, exactly as if
   * it had failed then. Runs before the job captures again, with the ledger reachable; limits that
   * cannot be cleared keep legacy frozen and are tried again ({@link LedgerUnavailable}).
   */
  synchronized void recoverInterrupted(UUID id) {
    Record last = latest(id).orElse(null);
    if (last == null || !UNDER_WAY.contains(last.status())) {
      return;
    }
    String notCleared = clearLimits(id, walletAccounts(id));
    if (notCleared != null) {
      throw new LedgerUnavailable(
          "a cutover interrupted at "
              + last.status()
              + " left limits that could not be cleared; legacy stays frozen: "
              + notCleared);
    }
    fail(
        jobs.get(id),
        last.id(),
        last.frozenAt(),
        "the runner stopped during the cutover (at "
            + last.status()
            + "); the limits were cleared and legacy unfrozen when it started again");
  }

  /** The results with which an account is limited after a set call. */
  private static final Set<String> LIMITED = Set.of("SET", "ALREADY_SET");

  /** The wallet ledger accounts of the job (never its suspense or outside-world accounts). */
  List<UUID> walletAccounts(UUID id) {
    return jdbc.sql(
            """
            select w.account_id from legacy_wallet w
            join ledger_account a on a.account_id = w.account_id
            where w.job_id = ? and a.code = ? order by w.account_id""")
        .params(id, AccountSpec.WALLET_CODE)
        .query(UUID.class)
        .list();
  }

  private static String reason(UUID id) {
    return "migration " + id + " cutover";
  }

  /** What setting the limits gave: how many accounts have it and the wallets held without it. */
  private record Limited(long accounts, List<UUID> held, long ms) {}

  /** Thrown when the limits cannot be set as a cutover needs; the message says why. */
  private static final class LimitsRefused extends RuntimeException {
    LimitsRefused(String message) {
      super(message);
    }
  }

  /**
   * Sets the no-overdraft limit on every wallet account of the job. Overdrawn accounts are held (at
   * most {@link LegacyCutoverRecorded#WALLETS_HELD_MAX}); an account the ledger does not know or
   * holds with a conflicting flag refuses the cutover, as does more held wallets than that.
   */
  private Limited setLimits(UUID id, List<UUID> accounts) {
    long started = System.nanoTime();
    Map<UUID, String> results = limits.apply(accounts, true, reason(id));
    long ms = (System.nanoTime() - started) / 1_000_000;
    List<UUID> held = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    long limited = 0;
    for (UUID account : accounts) {
      String result = results.get(account);
      if (result != null && LIMITED.contains(result)) {
        limited++;
      } else if ("OVERDRAWN".equals(result)) {
        held.add(account);
      } else {
        refused.add(account + " " + result);
      }
    }
    if (!refused.isEmpty()) {
      throw new LimitsRefused(
          refused.size()
              + " wallet accounts could not be limited (first: "
              + refused.subList(0, Math.min(5, refused.size()))
              + ")");
    }
    if (held.size() > LegacyCutoverRecorded.WALLETS_HELD_MAX) {
      throw new LimitsRefused(
          held.size()
              + " wallets are overdrawn, more than the "
              + LegacyCutoverRecorded.WALLETS_HELD_MAX
              + " a cutover may hold");
    }
    return new Limited(limited, held, ms);
  }

  /**
   * Clears the limit of every wallet account of the job; answers null, or why it could not. Clears
   * all of them, not only those the attempt set: a call that failed may have been applied.
   */
  private @Nullable String clearLimits(UUID id, List<UUID> accounts) {
    try {
      limits.apply(accounts, false, reason(id));
      return null;
    } catch (RuntimeException e) {
      return e.getMessage();
    }
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
    jdbc.sql("update migration_cutover set status = 'LIMITING' where id = ?")
        .param(attempt)
        .update();
    List<UUID> accounts = walletAccounts(id);
    Limited limited;
    try {
      limited = setLimits(id, accounts);
    } catch (RuntimeException e) {
      String detail = "setting the no-overdraft limits failed: " + e.getMessage();
      String notCleared = clearLimits(id, accounts);
      if (notCleared != null) {
        detail +=
            "; CLEARING THE LIMITS FAILED, legacy history may be refused: cut over and roll back"
                + " once the ledger answers: "
                + notCleared;
      }
      return fail(job, attempt, frozenAt, detail);
    }
    Instant switched = clock.instant();
    tx.executeWithoutResult(
        status -> {
          jdbc.sql(
                  """
                  update migration_cutover set status = 'SWITCHED', switched_at = ?, frozen_ms = ?,
                    accounts_limited = ?, limits_ms = ?, wallets_held = ?::uuid[], detail = ?
                  where id = ?""")
              .params(
                  Timestamp.from(switched),
                  Duration.between(frozenAt, switched).toMillis(),
                  limited.accounts(),
                  limited.ms(),
                  limited.held().stream().map(UUID::toString).toArray(String[]::new),
                  "legacy stays frozen; the platform is the system of record; "
                      + limited.accounts()
                      + " wallets limited, "
                      + limited.held().size()
                      + " held (overdrawn)",
                  attempt)
              .update();
          jobs.phase(id, Phase.CUT_OVER, null);
          outbox.add(
              Topics.MIGRATION_CUTOVER_RECORDED,
              id.toString(),
              new LegacyCutoverRecorded(
                  id, LegacyCutoverRecorded.SWITCHED, limited.held(), switched));
        });
    log.info(
        "job {}: cut over, legacy writes frozen for {} ms ({} wallets limited in {} ms, {} held)",
        id,
        Duration.between(frozenAt, switched).toMillis(),
        limited.accounts(),
        limited.ms(),
        limited.held().size());
    return latest(id).orElseThrow();
  }

  /** Unfreezes legacy after a switch: the legacy wallet is the system of record again. */
  synchronized Record rollback(UUID id) throws SQLException {
    MigrationJob job = jobs.get(id);
    if (job.phase() == Phase.FINISHED) {
      throw conflict(
          "job " + id + " is FINISHED: it no longer captures legacy, so it cannot roll back");
    }
    Record last = latest(id).orElseThrow(() -> conflict("job " + id + " was never cut over"));
    if (job.phase() != Phase.CUT_OVER || !last.status().equals("SWITCHED")) {
      throw conflict("job " + id + " is " + job.phase() + ", not cut over");
    }
    // First the limits: legacy history streamed after the unfreeze may overdraw a wallet again.
    String notCleared = clearLimits(id, walletAccounts(id));
    if (notCleared != null) {
      throw new ProblemException(
          HttpStatus.SERVICE_UNAVAILABLE,
          ProblemTypes.of("ledger-unavailable"),
          "Ledger unavailable",
          "the no-overdraft limits could not be cleared, so legacy stays frozen and the job cut"
              + " over; roll back again once the ledger answers: "
              + notCleared);
    }
    unfreeze(job);
    Instant unfrozen = clock.instant();
    tx.executeWithoutResult(
        status -> {
          jdbc.sql(
                  """
                  update migration_cutover set status = 'ROLLED_BACK', unfrozen_at = ?,
                    detail = 'rolled back: limits cleared, legacy writes accepted again'
                  where id = ?""")
              .params(Timestamp.from(unfrozen), last.id())
              .update();
          jobs.phase(id, runner.isRunning(id) ? Phase.STREAMING : Phase.PAUSED, null);
          outbox.add(
              Topics.MIGRATION_CUTOVER_RECORDED,
              id.toString(),
              new LegacyCutoverRecorded(
                  id, LegacyCutoverRecorded.ROLLED_BACK, List.of(), unfrozen));
        });
    return latest(id).orElseThrow();
  }

  /**
   * Ends a switched job: the platform stays the system of record, legacy stays frozen, and the
   * job's slot and publication are dropped from the legacy server. After this there is no rollback.
   */
  synchronized MigrationJob finish(UUID id) {
    MigrationJob job = jobs.get(id);
    if (job.phase() == Phase.FINISHED) {
      return job;
    }
    boolean switched = switched(id);
    if (!switched || job.phase() == Phase.CUTTING_OVER || job.phase().ended()) {
      throw conflict(
          "job "
              + id
              + " is "
              + job.phase()
              + " and not switched: cut over first, or abandon it to keep legacy");
    }
    return runner.end(id, Phase.FINISHED);
  }

  /**
   * Ends a job that is not switched: legacy stays the system of record, and the job's slot and
   * publication are dropped from the legacy server. What the job imported stays in the ledger; a
   * new job with the same id namespace can migrate again without posting anything twice.
   */
  synchronized MigrationJob abandon(UUID id) {
    MigrationJob job = jobs.get(id);
    if (job.phase() == Phase.ABANDONED) {
      return job;
    }
    boolean switched = switched(id);
    if (switched || job.phase() == Phase.CUTTING_OVER || job.phase().ended()) {
      throw conflict(
          "job " + id + " is " + job.phase() + (switched ? " and switched: roll back first" : ""));
    }
    return runner.end(id, Phase.ABANDONED);
  }

  /** Whether the job's latest attempt switched and was not rolled back since. */
  private boolean switched(UUID id) {
    return latest(id).map(r -> r.status().equals("SWITCHED")).orElse(false);
  }

  Optional<Record> latest(UUID id) {
    return jdbc.sql(
            """
            select id, freeze_method, status, started_at, frozen_at, drained_at, switched_at,
              unfrozen_at, frozen_ms, detail, accounts_limited, limits_ms, wallets_held
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
                    rs.getString(10),
                    (Long) rs.getObject(11),
                    (Long) rs.getObject(12),
                    uuids(rs.getArray(13))))
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

  private static List<UUID> uuids(java.sql.@Nullable Array array) throws SQLException {
    return array == null ? List.of() : List.of((UUID[]) array.getArray());
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
