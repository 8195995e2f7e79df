package io.tpwallet.migration.job;

import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import io.tpwallet.migration.cdc.CdcEngine;
import io.tpwallet.migration.cdc.CdcSource;
import io.tpwallet.migration.cdc.ChangeEvent;
import io.tpwallet.migration.cdc.SlotCheck;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Runs migration jobs: one Debezium engine per started job. Pausing stops the engine (its offsets
 * are stored and the slot keeps the WAL); resuming starts it again from the stored offsets after
 * checking that the slot still holds them.
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
  private final String migrationDbUrl;
  private final String migrationDbUser;
  private final String migrationDbPassword;
  private final Map<UUID, CdcEngine> engines = new ConcurrentHashMap<>();
  private final Map<UUID, Fault> faults = new ConcurrentHashMap<>();
  private volatile boolean running;

  JobRunner(
      MigrationJobs jobs,
      ChangeApplier applier,
      @Value("${spring.datasource.url}") String migrationDbUrl,
      @Value("${spring.datasource.username:postgres}") String migrationDbUser,
      @Value("${spring.datasource.password:}") String migrationDbPassword) {
    this.jobs = jobs;
    this.applier = applier;
    this.migrationDbUrl = migrationDbUrl;
    this.migrationDbUser = migrationDbUser;
    this.migrationDbPassword = migrationDbPassword;
  }

  /** Starts (or resumes) capturing the job's legacy source. */
  public MigrationJob start(UUID id) {
    MigrationJob job = jobs.get(id);
    if (engines.containsKey(id)) {
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
      SlotCheck.verify(legacy, job.slotName(), SlotCheck.storedLsn(own, id));
      if (!job.snapshotCompleted()) {
        jobs.rowsTotal(id, countRows(legacy, job.tables()));
      }
    } catch (SlotCheck.SlotLost e) {
      jobs.phase(id, Phase.FAILED, e.getMessage());
      throw conflict(e.getMessage());
    } catch (SQLException e) {
      throw new ProblemException(
          HttpStatus.BAD_GATEWAY,
          ProblemTypes.of("legacy-source-unreachable"),
          "Legacy source unreachable",
          "The legacy database could not be read: " + e.getMessage());
    }
    jobs.phase(id, job.snapshotCompleted() ? Phase.STREAMING : Phase.SNAPSHOTTING, null);
    CdcEngine engine =
        CdcEngine.start(
            source,
            new CdcEngine.OffsetStore(migrationDbUrl, migrationDbUser, migrationDbPassword, id),
            batch -> handle(id, batch),
            error -> stopped(id, error));
    engines.put(id, engine);
    return jobs.get(id);
  }

  /** Stops capturing; the job can be resumed where it stopped. */
  public MigrationJob pause(UUID id) {
    jobs.get(id);
    CdcEngine engine = engines.remove(id);
    if (engine == null) {
      throw conflict("job " + id + " is not running");
    }
    jobs.phase(id, Phase.PAUSED, null);
    engine.close();
    return jobs.get(id);
  }

  public MigrationJob resume(UUID id) {
    Phase phase = jobs.get(id).phase();
    if (phase != Phase.PAUSED && phase != Phase.FAILED) {
      throw conflict("job " + id + " is " + phase + ", not paused or failed");
    }
    return start(id);
  }

  public boolean isRunning(UUID id) {
    return engines.containsKey(id);
  }

  /**
   * Makes the job's runner crash at {@code point} on the first batch holding an event that matches,
   * once: for drills and tests of restart and replay.
   */
  public void injectFault(UUID id, FaultPoint point, Predicate<ChangeEvent> when) {
    faults.put(id, new Fault(point, when));
  }

  private void handle(UUID id, List<ChangeEvent> batch) {
    MigrationJob job = jobs.get(id);
    Fault fault = faults.get(id);
    boolean hit = fault != null && batch.stream().anyMatch(fault.when());
    if (hit && fault.point() == FaultPoint.BEFORE_COMMIT) {
      faults.remove(id);
      throw new IllegalStateException("injected fault before commit");
    }
    applier.apply(job, batch);
    if (hit && fault.point() == FaultPoint.AFTER_COMMIT) {
      faults.remove(id);
      throw new IllegalStateException("injected fault after commit");
    }
  }

  private void stopped(UUID id, @Nullable Throwable error) {
    CdcEngine engine = engines.remove(id);
    if (error != null) {
      Throwable root = error;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      jobs.phase(id, Phase.FAILED, root.getMessage());
      log.warn("job {} failed: {}", id, root.getMessage());
    }
    if (engine != null) {
      // Called on the engine's own thread: close it from another one.
      Thread closer = new Thread(engine::close, "cdc-close");
      closer.setDaemon(true);
      closer.start();
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

  private static ProblemException conflict(String detail) {
    return new ProblemException(HttpStatus.CONFLICT, ProblemTypes.CONFLICT, "Conflict", detail);
  }

  @Override
  public void start() {
    running = true;
  }

  /** On shutdown: stop every engine so that their offsets are stored. */
  @Override
  public void stop() {
    for (UUID id : List.copyOf(engines.keySet())) {
      CdcEngine engine = engines.remove(id);
      if (engine != null) {
        engine.close();
        jobs.phase(id, Phase.PAUSED, "the runner shut down");
      }
    }
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
