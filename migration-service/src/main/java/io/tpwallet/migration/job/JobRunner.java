package io.tpwallet.migration.job;

import io.tpwallet.common.id.Ids;
import io.tpwallet.common.money.Asset;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import io.tpwallet.common.thread.DaemonThreads;
import io.tpwallet.migration.cdc.BinlogCheck;
import io.tpwallet.migration.cdc.CdcEngine;
import io.tpwallet.migration.cdc.CdcSource;
import io.tpwallet.migration.cdc.ChangeEvent;
import io.tpwallet.migration.cdc.SlotCheck;
import io.tpwallet.migration.cdc.SnapshotOffsets;
import io.tpwallet.migration.ledger.AccountSpec;
import io.tpwallet.migration.ledger.LedgerAccounts;
import io.tpwallet.migration.ledger.LedgerUnavailable;
import io.tpwallet.migration.transform.Amounts;
import io.tpwallet.migration.transform.Refusal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Runs migration jobs: one Debezium engine per started job. Pausing stops the engine (its offsets
 * are stored and the slot keeps the WAL, or the binlog files stay on the server); resuming starts
 * it again from the stored offsets after checking that the slot (PostgreSQL) or the binlog file
 * (MariaDB/MySQL) still holds them.
 */
@Component
public class JobRunner implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  /** Where a drill or test makes the runner crash while applying a batch. */
  public enum FaultPoint {
    /** Before the batch's transaction commits: nothing of the batch is kept. */
    BEFORE_COMMIT,
    /** After the batch committed, before the engine stored its offsets: the batch is replayed. */
    AFTER_COMMIT
  }

  private record Fault(FaultPoint point, Predicate<ChangeEvent> when) {}

  private final MigrationJobs jobs;
  private final ChangeApplier applier;
  private final LedgerAccounts accounts;
  private final JdbcClient jdbc;
  private final Clock clock;
  private final String migrationDbUrl;
  private final String migrationDbUser;
  private final String migrationDbPassword;
  private final Map<UUID, Run> runs = new ConcurrentHashMap<>();
  private final Map<UUID, Fault> faults = new ConcurrentHashMap<>();
  private final Map<UUID, Duration> delays = new ConcurrentHashMap<>();

  /** How many times a job's engine is restarted by itself after a resync race (per runner). */
  static final int ENGINE_RESTARTS_MAX = 5;

  static final Duration ENGINE_RESTART_DELAY = Duration.ofSeconds(1);
  private final Map<UUID, Integer> engineRestarts = new ConcurrentHashMap<>();

  /** When each job last applied a resync row (an incremental snapshot READ). */
  private final Map<UUID, Instant> lastResyncRowAt = new ConcurrentHashMap<>();

  /** How long after its last row a resync still counts as running, for reconciliation. */
  static final Duration RESYNC_SETTLE = Duration.ofSeconds(5);

  /** How long after it was asked an unfinished resync still counts as running. */
  static final Duration RESYNC_RUNNING_MAX = Duration.ofHours(1);

  /**
   * How long a restarted engine may take to deliver its first batch before a lost resync is asked
   * again.
   */
  static final Duration RESYNC_RESUME_WAIT_MAX = Duration.ofSeconds(60);

  private final Map<UUID, Instant> streamedUpTo = new ConcurrentHashMap<>();
  private volatile boolean running;

  /** A started job: first its accounts are opened, then its CDC engine runs. */
  private static final class Run {
    volatile @Nullable CdcEngine engine;
    volatile boolean cancelled;
    volatile @Nullable Thread opener;

    /** Whether its engine has delivered a batch (it is reading: a signal reaches it now). */
    volatile boolean delivered;

    /** Opens when the engine delivers its first batch or the run is cancelled. */
    final CountDownLatch readingOrCancelled = new CountDownLatch(1);

    void delivered() {
      delivered = true;
      readingOrCancelled.countDown();
    }

    void cancel() {
      cancelled = true;
      readingOrCancelled.countDown();
    }
  }

  JobRunner(
      MigrationJobs jobs,
      ChangeApplier applier,
      LedgerAccounts accounts,
      JdbcClient jdbc,
      Clock clock,
      @Value("${spring.datasource.url}") String migrationDbUrl,
      @Value("${spring.datasource.username:postgres}") String migrationDbUser,
      @Value("${spring.datasource.password:}") String migrationDbPassword) {
    this.jobs = jobs;
    this.applier = applier;
    this.accounts = accounts;
    this.jdbc = jdbc;
    this.clock = clock;
    this.migrationDbUrl = migrationDbUrl;
    this.migrationDbUser = migrationDbUser;
    this.migrationDbPassword = migrationDbPassword;
  }

  /**
   * Starts (or resumes) the job: checks the slot, then, on a thread of its own, opens every ledger
   * account the legacy wallets map to (waiting, with backoff, while the ledger is unreachable) and
   * only then starts capturing, so that no transfer is ever sent to an account that is not open.
   */
  public MigrationJob start(UUID id) {
    MigrationJob job = jobs.get(id);
    if (job.phase().ended()) {
      throw conflict("job " + id + " is " + job.phase() + ": it can no longer be started");
    }
    if (runs.containsKey(id)) {
      throw conflict("job " + id + " is already running");
    }
    CdcSource source =
        CdcSource.ofJdbcUrl(
            job.sourceUrl(),
            job.sourceUser(),
            job.sourcePassword(),
            job.tables(),
            job.slotName(),
            job.publicationName(),
            job.topicPrefix());
    try (Connection legacy = legacy(job);
        Connection own =
            DriverManager.getConnection(migrationDbUrl, migrationDbUser, migrationDbPassword)) {
      switch (source.kind()) {
        case POSTGRES -> SlotCheck.verify(legacy, job.slotName(), SlotCheck.storedLsn(own, id));
        case MARIADB -> BinlogCheck.verify(legacy, BinlogCheck.storedFile(own, id));
      }
      if (job.snapshotCompleted() && !SnapshotOffsets.finished(own, id)) {
        // The runner committed the end of the snapshot but the engine's offsets of it were not
        // stored (a crash in between, or a binlog job stopped before its first event after the
        // snapshot): Debezium reads the snapshot again, so the job is snapshotting again.
        log.warn(
            "job {}: the stored offsets say the snapshot is not finished; it is read again", id);
        jobs.reopenSnapshot(id);
        job = jobs.get(id);
      }
      if (!job.snapshotCompleted()) {
        jobs.rowsTotal(id, countRows(legacy, job.tables()));
      }
    } catch (SlotCheck.SlotLost | IllegalStateException e) {
      jobs.phase(id, Phase.FAILED, e.getMessage());
      throw conflict(e.getMessage());
    } catch (SQLException e) {
      throw legacyUnreachable(e);
    }
    Run run = new Run();
    if (runs.putIfAbsent(id, run) != null) {
      throw conflict("job " + id + " is already running");
    }
    // A switched job started again (after a pause or a runner restart) is cut over: it streams
    // what a rollback would need. Anything else, a cutover the runner died in included, opens
    // its accounts first; the interrupted attempt is failed before capture starts again.
    boolean keepPhase = switched(id);
    jobs.phase(id, keepPhase ? Phase.CUT_OVER : Phase.OPENING_ACCOUNTS, null);
    Thread opener =
        DaemonThreads.thread(
            "open-accounts-" + job.topicPrefix(),
            () -> openThenCapture(id, run, source, keepPhase));
    run.opener = opener;
    opener.start();
    return jobs.get(id);
  }

  private void openThenCapture(UUID id, Run run, CdcSource source, boolean keepPhase) {
    Duration backoff = LedgerAccounts.BACKOFF_MIN;
    while (!run.cancelled) {
      try {
        openAccounts(jobs.get(id));
        beforeCapture.accept(id);
        break;
      } catch (LedgerUnavailable e) {
        if (run.cancelled) {
          return;
        }
        if (!keepPhase) {
          jobs.phase(
              id,
              Phase.WAITING_FOR_LEDGER,
              e.getMessage()
                  + "; retrying in "
                  + backoff.toMillis()
                  + " ms. Nothing is captured or sent until every account is open.");
        }
        log.warn("job {}: {}", id, e.getMessage());
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException interrupted) {
          return; // paused
        }
        backoff = LedgerAccounts.next(backoff);
      } catch (RuntimeException | SQLException e) {
        runs.remove(id, run);
        jobs.phase(id, Phase.FAILED, "opening the ledger accounts failed: " + e.getMessage());
        log.warn("job {}: opening the ledger accounts failed", id, e);
        return;
      }
    }
    synchronized (run) {
      if (run.cancelled) {
        return;
      }
      if (!keepPhase) {
        jobs.phase(
            id, jobs.get(id).snapshotCompleted() ? Phase.STREAMING : Phase.SNAPSHOTTING, null);
      }
      run.engine =
          CdcEngine.start(
              source,
              new CdcEngine.OffsetStore(migrationDbUrl, migrationDbUser, migrationDbPassword, id),
              batch -> handle(id, batch),
              error -> stopped(id, run, error));
    }
    if (jobs.get(id).snapshotCompleted()) {
      resumeResyncIfLost(id, run);
    }
  }

  /**
   * Asks again for the job's latest resync when it had not finished and the stored offsets carry no
   * incremental snapshot: the runner stopped (or Debezium's race failed the engine) after the
   * signal but before any batch stored the snapshot's context, so the new engine knows nothing of
   * it and the resync would never finish. Reading the table again is idempotent; its rows are
   * counted again from zero. Waits (bounded) for the engine's first batch, as a signal sent before
   * the engine reads is not taken.
   */
  private void resumeResyncIfLost(UUID id, Run run) {
    Optional<Resync> latest =
        latestResync(id)
            .filter(r -> r.rowsRead() < r.rowsTotal())
            .filter(r -> r.requestedAt().plus(RESYNC_RUNNING_MAX).isAfter(clock.instant()));
    if (latest.isEmpty()) {
      return;
    }
    Resync resync = latest.get();
    try (Connection own =
        DriverManager.getConnection(migrationDbUrl, migrationDbUser, migrationDbPassword)) {
      if (SnapshotOffsets.incrementalSnapshotStored(own, id)) {
        return; // Debezium carries it on from its offsets
      }
      run.readingOrCancelled.await(RESYNC_RESUME_WAIT_MAX.toMillis(), TimeUnit.MILLISECONDS);
      CdcEngine engine = run.engine;
      if (!run.delivered || run.cancelled || engine == null) {
        log.warn(
            "job {}: the resync of {} was lost and could not be asked again", id, resync.table());
        return;
      }
      jdbc.sql("update migration_resync set rows_read = 0 where id = ?")
          .param(resync.id())
          .update();
      engine.resync(resync.id().toString(), resync.table());
      log.info(
          "job {}: resync of {} asked again: the stored offsets did not carry it",
          id,
          resync.table());
    } catch (SQLException e) {
      log.warn("job {}: could not check its resync: {}", id, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Opens the ledger account of every legacy wallet whose currency is a platform asset, and the
   * suspense and outside-world accounts of each of those assets. A dry run sends nothing to the
   * ledger and opens nothing.
   */
  private void openAccounts(MigrationJob job) throws SQLException {
    if (job.dryRun()) {
      return;
    }
    Set<Asset> assets = new HashSet<>();
    List<AccountSpec> specs = new ArrayList<>();
    try (Connection legacy = legacy(job);
        var st = legacy.createStatement()) {
      legacy.setAutoCommit(false);
      st.setFetchSize(10_000);
      try (var rs = st.executeQuery("select id, currency from wallets order by id")) {
        while (rs.next()) {
          Asset asset;
          try {
            asset = Amounts.asset(rs.getString(2));
          } catch (Refusal unknownCurrency) {
            continue; // refused when the wallet is captured, and listed in the failures
          }
          if (assets.add(asset)) {
            specs.add(AccountSpec.suspense(job.ids(), asset));
            specs.add(AccountSpec.external(job.ids(), asset));
          }
          specs.add(AccountSpec.wallet(job.ids(), rs.getLong(1), asset));
        }
      }
      legacy.commit();
    }
    // Several calls at a time, and all done before the engine starts.
    accounts.ensureAllOpen(specs);
  }

  /**
   * What runs after a job's accounts are open and before its capture starts (again), with the
   * ledger reachable: the cutover fails an attempt a dead runner left unfinished. It may throw
   * {@link LedgerUnavailable} to be retried with the same backoff as the accounts.
   */
  void beforeCapture(Consumer<UUID> hook) {
    beforeCapture = hook;
  }

  private volatile Consumer<UUID> beforeCapture = id -> {};

  /** Whether the job's latest cutover attempt switched (and was not rolled back). */
  private boolean switched(UUID id) {
    return jdbc.sql(
            "select status from migration_cutover where job_id = ? order by id desc limit 1")
        .param(id)
        .query(String.class)
        .optional()
        .map("SWITCHED"::equals)
        .orElse(false);
  }

  /** Stops capturing; the job can be resumed where it stopped. */
  public MigrationJob pause(UUID id) {
    jobs.get(id);
    if (!stop(id, Phase.PAUSED)) {
      throw conflict("job " + id + " is not running");
    }
    return jobs.get(id);
  }

  /**
   * Ends the job for good ({@link Phase#FINISHED} or {@link Phase#ABANDONED}): stops capturing if
   * it runs, then drops the job's replication slot and publication from a PostgreSQL source (a
   * MariaDB/MySQL job holds nothing there), so that the legacy server stops keeping WAL for it.
   * Ending again is a no-op; a source that cannot be reached leaves the job unended (502) to be
   * ended again.
   */
  MigrationJob end(UUID id, Phase ended) {
    if (!ended.ended()) {
      throw new IllegalArgumentException("not a phase that ends a job: " + ended);
    }
    MigrationJob job = jobs.get(id);
    if (job.phase().ended()) {
      return job;
    }
    stop(id, Phase.PAUSED);
    if (CdcSource.kindOf(job.sourceUrl()).orElse(null) == CdcSource.Kind.POSTGRES) {
      try (Connection legacy = legacy(job)) {
        SlotCheck.release(legacy, job.slotName(), job.publicationName(), SLOT_RELEASE_WAIT);
      } catch (SlotCheck.SlotInUse e) {
        throw conflict(e.getMessage());
      } catch (SQLException e) {
        throw legacyUnreachable(e);
      }
    }
    jobs.phase(id, ended, null);
    return jobs.get(id);
  }

  /** How long ending a job waits for the stopped engine's walsender to let go of the slot. */
  static final Duration SLOT_RELEASE_WAIT = Duration.ofSeconds(30);

  /** Stops the job's engine, if it runs, leaving the job in {@code phase}; false if it did not. */
  private boolean stop(UUID id, Phase phase) {
    Run run = runs.remove(id);
    if (run == null) {
      return false;
    }
    CdcEngine engine;
    synchronized (run) {
      run.cancel();
      engine = run.engine;
    }
    Thread opener = run.opener;
    if (opener != null) {
      opener.interrupt();
    }
    jobs.phase(id, phase, null);
    if (engine != null) {
      engine.close();
    }
    return true;
  }

  public MigrationJob resume(UUID id) {
    Phase phase = jobs.get(id).phase();
    if (phase != Phase.PAUSED && phase != Phase.FAILED && phase != Phase.WAITING_FOR_LEDGER) {
      throw conflict("job " + id + " is " + phase + ", not paused or failed");
    }
    return start(id);
  }

  public boolean isRunning(UUID id) {
    return runs.containsKey(id);
  }

  /**
   * Makes the job's runner crash at {@code point} on the first batch holding an event that matches,
   * once: for drills and tests of restart and replay.
   */
  public void injectFault(UUID id, FaultPoint point, Predicate<ChangeEvent> when) {
    faults.put(id, new Fault(point, when));
  }

  /** The longest a lag drill may hold each batch back. */
  public static final Duration DELAY_MAX = Duration.ofSeconds(10);

  /**
   * Holds every batch of the job back by {@code delay} before applying it (zero: no more), so that
   * drills and tests see the runner lag behind legacy as it does under load.
   */
  public void injectDelay(UUID id, Duration delay) {
    if (delay.isNegative() || delay.compareTo(DELAY_MAX) > 0) {
      throw new IllegalArgumentException("delay must be 0.." + DELAY_MAX);
    }
    if (delay.isZero()) {
      delays.remove(id);
    } else {
      delays.put(id, delay);
    }
  }

  /** The latest resync of a job: its table, when it was asked, rows then and rows read since. */
  public record Resync(UUID id, String table, Instant requestedAt, long rowsTotal, long rowsRead) {}

  /**
   * Reads one legacy table again while the job keeps streaming (a Debezium incremental snapshot):
   * every row goes through the same transform under the same idempotency keys, so a row already
   * carried across changes nothing and is never posted twice, and a row the runner missed or got
   * wrong is put right.
   */
  public Resync resync(UUID id, String table) {
    MigrationJob job = jobs.get(id);
    if (!job.tables().contains(table)) {
      throw new ProblemException(
          HttpStatus.BAD_REQUEST,
          ProblemTypes.VALIDATION,
          "Invalid resync",
          "table must be one of the job's tables " + job.tables());
    }
    Run run = runs.get(id);
    CdcEngine engine = run == null ? null : run.engine;
    if (engine == null || job.phase() != Phase.STREAMING) {
      throw conflict("job " + id + " is " + job.phase() + ": a resync needs a streaming job");
    }
    long rows;
    try (Connection legacy = legacy(job)) {
      rows = countRows(legacy, List.of(table));
    } catch (SQLException e) {
      throw legacyUnreachable(e);
    }
    Resync resync = new Resync(Ids.newId(), table, clock.instant(), rows, 0);
    jdbc.sql(
            """
            insert into migration_resync (id, job_id, table_name, requested_at, rows_total)
            values (?, ?, ?, ?, ?)""")
        .params(resync.id(), id, table, Timestamp.from(resync.requestedAt()), rows)
        .update();
    engine.resync(resync.id().toString(), table);
    log.info("job {}: resync of {} ({} rows) asked", id, table, rows);
    return resync;
  }

  /**
   * Whether a resync of the job is under way: asked and not all rows read yet (for at most an hour
   * after it was asked), or a row of it applied within {@link #RESYNC_SETTLE}. While it is, the
   * streamed position is no watermark: the incremental snapshot's window holds the resynced table's
   * changes back while the other tables' stream on, so continuous reconciliation waits.
   */
  public boolean resyncUnderWay(UUID id) {
    Instant now = clock.instant();
    Instant last = lastResyncRowAt.get(id);
    if (last != null && last.plus(RESYNC_SETTLE).isAfter(now)) {
      return true;
    }
    return latestResync(id)
        .filter(r -> r.rowsRead() < r.rowsTotal())
        .filter(r -> r.requestedAt().plus(RESYNC_RUNNING_MAX).isAfter(now))
        .isPresent();
  }

  /** The job's latest resync, if any. */
  public Optional<Resync> latestResync(UUID id) {
    return jdbc.sql(
            """
            select id, table_name, requested_at, rows_total, rows_read from migration_resync
            where job_id = ? order by requested_at desc limit 1""")
        .param(id)
        .query(
            (rs, i) ->
                new Resync(
                    rs.getObject(1, UUID.class),
                    rs.getString(2),
                    rs.getTimestamp(3).toInstant(),
                    rs.getLong(4),
                    rs.getLong(5)))
        .optional();
  }

  /**
   * The legacy commit time of the last streamed change this runner applied for the job (null until
   * one was, after each start of the runner). Resync rows (incremental snapshot READs) do not
   * count: they carry the time they were read, not a position in the log, and come while earlier
   * commits may still be ahead in the stream.
   */
  public @Nullable Instant streamedUpTo(UUID id) {
    return streamedUpTo.get(id);
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private void countResynced(UUID id, List<ChangeEvent> batch) {
    // Incremental snapshot rows are READs outside the initial snapshot.
    long read =
        batch.stream().filter(e -> e.op() == ChangeEvent.Op.READ && !e.fromSnapshot()).count();
    if (read > 0) {
      lastResyncRowAt.put(id, clock.instant());
      jdbc.sql(
              """
              update migration_resync set rows_read = rows_read + ? where id =
                (select id from migration_resync where job_id = ? order by requested_at desc
                 limit 1)""")
          .params(read, id)
          .update();
    }
  }

  private void handle(UUID id, List<ChangeEvent> batch) {
    Duration delay = delays.get(id);
    if (delay != null) {
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while holding a batch back", e);
      }
    }
    MigrationJob job = jobs.get(id);
    Fault fault = faults.get(id);
    boolean hit = fault != null && batch.stream().anyMatch(fault.when());
    if (hit && fault.point() == FaultPoint.BEFORE_COMMIT) {
      faults.remove(id);
      throw new IllegalStateException("injected fault before commit");
    }
    applier.apply(job, batch);
    countResynced(id, batch);
    Run run = runs.get(id);
    if (run != null) {
      run.delivered();
    }
    batch.stream()
        .filter(
            e ->
                e.kind() == ChangeEvent.Kind.ROW
                    && !e.fromSnapshot()
                    && e.op() != ChangeEvent.Op.READ)
        .mapToLong(ChangeEvent::sourceTsMs)
        .max()
        .ifPresent(ms -> streamedUpTo.merge(id, Instant.ofEpochMilli(ms), JobRunner::later));
    if (hit && fault.point() == FaultPoint.AFTER_COMMIT) {
      faults.remove(id);
      throw new IllegalStateException("injected fault after commit");
    }
  }

  private void stopped(UUID id, Run run, @Nullable Throwable error) {
    if (!runs.remove(id, run)) {
      return; // paused or shut down: whoever stopped it has set the phase
    }
    if (error != null) {
      Throwable root = error;
      LedgerUnavailable ledgerDown = null;
      while (true) {
        if (root instanceof LedgerUnavailable l) {
          ledgerDown = l;
        }
        if (root.getCause() == null || root.getCause() == root) {
          break;
        }
        root = root.getCause();
      }
      if (ledgerDown != null && running) {
        // A wallet created while streaming could not be opened: the batch was not applied. Wait
        // for the ledger and carry on from the stored offsets, by ourselves.
        jobs.phase(
            id,
            Phase.WAITING_FOR_LEDGER,
            ledgerDown.getMessage() + "; the job resumes by itself once the ledger answers.");
        DaemonThreads.thread("resume-" + id, () -> resumeLater(id)).start();
      } else if (running
          && incrementalSnapshotRace(error)
          && engineRestarts.merge(id, 1, Integer::sum) <= ENGINE_RESTARTS_MAX) {
        // Debezium 3.5's read-only incremental snapshot can fail its streaming thread with a
        // ConcurrentModificationException (its chunk window is filled by the signal thread while
        // the streaming thread sends it). Nothing was lost: the offsets of every applied batch are
        // stored, with the snapshot's progress, so a new engine carries on from there and the
        // rows read twice are idempotent. Restart it by ourselves, a bounded number of times.
        jobs.phase(id, Phase.FAILED, "CDC engine failed during a resync; restarting it: " + root);
        DaemonThreads.thread("restart-" + id, () -> restartAfterEngineRace(id)).start();
      } else {
        jobs.phase(id, Phase.FAILED, root.getMessage());
      }
      log.warn("job {} stopped: {}", id, root.getMessage());
    }
    CdcEngine engine = run.engine;
    if (engine != null) {
      // Called on the engine's own thread: close it from another one.
      DaemonThreads.thread("cdc-close", engine::close).start();
    }
  }

  /** Whether the failure came out of Debezium's incremental snapshot (a resync) machinery. */
  static boolean incrementalSnapshotRace(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.util.ConcurrentModificationException) {
        for (StackTraceElement frame : t.getStackTrace()) {
          if (frame.getClassName().contains("IncrementalSnapshot")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private void restartAfterEngineRace(UUID id) {
    try {
      Thread.sleep(ENGINE_RESTART_DELAY.toMillis());
      if (running && jobs.get(id).phase() == Phase.FAILED && !isRunning(id)) {
        log.info("job {}: restarting the CDC engine after its incremental snapshot failed", id);
        start(id);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("job {} could not restart: {}", id, e.getMessage());
    }
  }

  private void resumeLater(UUID id) {
    try {
      Thread.sleep(LedgerAccounts.BACKOFF_MAX.toMillis());
      if (running && jobs.get(id).phase() == Phase.WAITING_FOR_LEDGER && !isRunning(id)) {
        start(id);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("job {} could not resume: {}", id, e.getMessage());
    }
  }

  private static Connection legacy(MigrationJob job) throws SQLException {
    return DriverManager.getConnection(job.sourceUrl(), job.sourceUser(), job.sourcePassword());
  }

  private static long countRows(Connection legacy, List<String> tables) throws SQLException {
    long total = 0;
    for (String table : tables) {
      if (!table.matches("[a-z_][a-z0-9_]*")) {
        throw new IllegalArgumentException("not a plain table name: " + table);
      }
      try (var st = legacy.createStatement();
          var rs = st.executeQuery("select count(*) from " + table)) {
        rs.next();
        total += rs.getLong(1);
      }
    }
    return total;
  }

  private static ProblemException legacyUnreachable(SQLException e) {
    return new ProblemException(
        HttpStatus.BAD_GATEWAY,
        ProblemTypes.of("legacy-source-unreachable"),
        "Legacy source unreachable",
        "The legacy database could not be read: " + e.getMessage());
  }

  private static ProblemException conflict(String detail) {
    return new ProblemException(HttpStatus.CONFLICT, ProblemTypes.CONFLICT, "Conflict", detail);
  }

  /**
   * On startup: every job that was running when the runner last stopped (killed or shut down)
   * resumes from its stored offsets, after the slot check, as if resumed by hand.
   */
  @Override
  public void start() {
    running = true;
    List<UUID> active =
        jobs.list().stream().filter(j -> j.phase().active()).map(j -> j.id()).toList();
    if (active.isEmpty()) {
      return;
    }
    DaemonThreads.thread(
            "resume-jobs",
            () -> {
              for (UUID id : active) {
                try {
                  log.info("resuming job {} after a runner restart", id);
                  start(id);
                } catch (RuntimeException e) {
                  log.warn("job {} could not resume after a restart: {}", id, e.getMessage());
                }
              }
            })
        .start();
  }

  /**
   * On shutdown: stop every engine so that their offsets are stored. The jobs keep their phase, so
   * that the next start of the runner resumes them.
   */
  @Override
  public void stop() {
    running = false;
    for (UUID id : List.copyOf(runs.keySet())) {
      Run run = runs.remove(id);
      if (run == null) {
        continue;
      }
      CdcEngine engine;
      synchronized (run) {
        run.cancel();
        engine = run.engine;
      }
      Thread opener = run.opener;
      if (opener != null) {
        opener.interrupt();
      }
      if (engine != null) {
        engine.close();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
