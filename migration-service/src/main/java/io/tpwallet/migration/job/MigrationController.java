package io.tpwallet.migration.job;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import io.tpwallet.migration.cdc.CdcSource;
import io.tpwallet.migration.ledger.LedgerUnavailable;
import io.tpwallet.migration.legacy.LegacySchema;
import io.tpwallet.migration.transform.LegacyIds;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The job runner's REST API: create, start, pause, resume, status and report. */
@RestController
@RequestMapping("/v1/migrations")
class MigrationController {

  static final int NAME_LENGTH_MAX = 128;

  private final MigrationJobs jobs;
  private final JobRunner runner;
  private final Reconciliation reconciliation;
  private final Cutover cutover;
  private final MigrationMetrics metrics;
  private final ContinuousReconciliation continuous;

  MigrationController(
      MigrationJobs jobs,
      JobRunner runner,
      Reconciliation reconciliation,
      Cutover cutover,
      MigrationMetrics metrics,
      ContinuousReconciliation continuous) {
    this.jobs = jobs;
    this.continuous = continuous;
    this.metrics = metrics;
    this.runner = runner;
    this.reconciliation = reconciliation;
    this.cutover = cutover;
  }

  /**
   * A cutover: {@code freezeMethod} TRIGGER (default: a trigger rejects legacy writes) or EXTERNAL
   * (the team has stopped the legacy app); at most {@code drainSeconds} to drain the lag and {@code
   * answerSeconds} for the ledger's answers.
   */
  record CutoverRequest(
      @Nullable String freezeMethod,
      @Nullable Integer drainSeconds,
      @Nullable Integer answerSeconds) {}

  /** The legacy database to read and how to read it. */
  record Source(@Nullable String jdbcUrl, @Nullable String user, @Nullable String password) {}

  /**
   * A new job: {@code legacyZone} is the zone legacy local times are in; {@code dryRun} maps and
   * records everything but sends no command to the ledger; {@code idNamespace} is the UUIDv5
   * namespace of its transfer and account ids (default {@link LegacyIds#NAMESPACE}; another legacy
   * database into the same ledger needs one of its own).
   */
  record CreateMigrationRequest(
      @Nullable String name,
      @Nullable Source source,
      @Nullable List<String> tables,
      @Nullable String legacyZone,
      @Nullable Boolean dryRun,
      @Nullable String idNamespace) {}

  /**
   * Progress as people watch it; {@code eventsPerSecond} and {@code etaSeconds} (of the snapshot)
   * are measured over the last second by {@link MigrationMetrics}, null until measured.
   */
  record Status(
      UUID id,
      String name,
      Phase phase,
      @Nullable String error,
      boolean dryRun,
      boolean running,
      @Nullable Long rowsTotal,
      long rowsSnapshotted,
      long eventsStreamed,
      @Nullable Long lagMs,
      @Nullable Instant lastEventAppliedAt,
      @Nullable Instant snapshotCompletedAt,
      String slotName,
      Cutover.@Nullable Record cutover,
      @Nullable Double eventsPerSecond,
      @Nullable Long etaSeconds,
      ContinuousReconciliation.@Nullable Summary reconciliation,
      JobRunner.@Nullable Resync resync) {

    static Status of(MigrationJob j, boolean running) {
      return of(j, running, null);
    }

    static Status of(MigrationJob j, boolean running, Cutover.@Nullable Record cutover) {
      return new Status(
          j.id(),
          j.name(),
          j.phase(),
          j.error(),
          j.dryRun(),
          running,
          j.rowsTotal(),
          j.rowsSnapshotted(),
          j.eventsStreamed(),
          j.lastLagMs(),
          j.lastEventAppliedAt(),
          j.snapshotCompletedAt(),
          j.slotName(),
          cutover,
          null,
          null,
          null,
          null);
    }

    /** With the measured rates (null: not measured yet) and the continuous reconciliation. */
    Status observed(
        MigrationMetrics.@Nullable Rates rates,
        ContinuousReconciliation.Summary summary,
        JobRunner.@Nullable Resync resync) {
      Long eta = null;
      if (rates != null
          && rowsTotal != null
          && rates.rowsPerSecond() > 0
          && phase == Phase.SNAPSHOTTING) {
        eta = (long) Math.ceil((rowsTotal - rowsSnapshotted) / rates.rowsPerSecond());
      }
      return new Status(
          id,
          name,
          phase,
          error,
          dryRun,
          running,
          rowsTotal,
          rowsSnapshotted,
          eventsStreamed,
          lagMs,
          lastEventAppliedAt,
          snapshotCompletedAt,
          slotName,
          cutover,
          rates == null ? null : rates.eventsPerSecond(),
          eta,
          summary,
          resync);
    }
  }

  @PostMapping
  ResponseEntity<Status> create(@RequestBody CreateMigrationRequest request) {
    String name = request.name() == null ? "" : request.name().trim();
    if (name.isEmpty() || name.length() > NAME_LENGTH_MAX) {
      throw invalid("name must be 1-" + NAME_LENGTH_MAX + " characters");
    }
    Source source = request.source();
    if (source == null
        || source.jdbcUrl() == null
        || CdcSource.kindOf(source.jdbcUrl()).isEmpty()) {
      throw invalid(
          "source.jdbcUrl must be a jdbc:postgresql://, jdbc:mariadb:// or jdbc:mysql://"
              + " host[:port]/database URL of the legacy database");
    }
    List<String> tables = request.tables() == null ? LegacySchema.TABLES : request.tables();
    if (tables.isEmpty() || !LegacySchema.TABLES.containsAll(tables)) {
      throw invalid("tables must be some of " + LegacySchema.TABLES);
    }
    ZoneId zone;
    try {
      zone = ZoneId.of(request.legacyZone() == null ? "UTC" : request.legacyZone());
    } catch (DateTimeException e) {
      throw invalid("legacyZone is not a time zone id: " + request.legacyZone());
    }
    UUID namespace;
    try {
      namespace =
          request.idNamespace() == null
              ? LegacyIds.NAMESPACE
              : UUID.fromString(request.idNamespace());
    } catch (IllegalArgumentException e) {
      throw invalid("idNamespace is not a UUID: " + request.idNamespace());
    }
    MigrationJob job =
        jobs.create(
            Ids.newId(),
            name,
            source.jdbcUrl(),
            source.user() == null ? "postgres" : source.user(),
            source.password() == null ? "" : source.password(),
            tables,
            zone,
            Boolean.TRUE.equals(request.dryRun()),
            namespace);
    return ResponseEntity.status(HttpStatus.CREATED).body(Status.of(job, false));
  }

  @GetMapping
  List<Status> list() {
    return jobs.list().stream()
        .map(
            j ->
                Status.of(j, runner.isRunning(j.id()))
                    .observed(
                        metrics.rates(j.id()),
                        continuous.summary(j.id()),
                        runner.latestResync(j.id()).orElse(null)))
        .toList();
  }

  @GetMapping("/{id}")
  Status status(@PathVariable UUID id) {
    return Status.of(jobs.get(id), runner.isRunning(id), cutover.latest(id).orElse(null))
        .observed(metrics.rates(id), continuous.summary(id), runner.latestResync(id).orElse(null));
  }

  /**
   * Freezes legacy writes, drains the lag, reconciles against the ledger and records the switch;
   * answers the attempt (SWITCHED, or FAILED with legacy unfrozen again). Blocks until done.
   */
  @PostMapping("/{id}/cutover")
  Cutover.Record cutover(
      @PathVariable UUID id, @RequestBody(required = false) @Nullable CutoverRequest request)
      throws SQLException {
    CutoverRequest r = request == null ? new CutoverRequest(null, null, null) : request;
    Cutover.FreezeMethod method;
    try {
      method =
          Cutover.FreezeMethod.valueOf(
              r.freezeMethod() == null ? "TRIGGER" : r.freezeMethod().trim());
    } catch (IllegalArgumentException e) {
      throw invalid("freezeMethod must be one of TRIGGER, EXTERNAL");
    }
    int drain = r.drainSeconds() == null ? 60 : r.drainSeconds();
    int answer = r.answerSeconds() == null ? 60 : r.answerSeconds();
    long max = Cutover.DRAIN_MAX.toSeconds();
    if (drain < 1 || drain > max || answer < 0 || answer > max) {
      throw invalid("drainSeconds must be 1.." + max + " and answerSeconds 0.." + max);
    }
    return cutover.cutover(id, method, Duration.ofSeconds(drain), Duration.ofSeconds(answer));
  }

  /** Drops the freeze: legacy accepts writes again and is the system of record. */
  @PostMapping("/{id}/rollback")
  Cutover.Record rollback(@PathVariable UUID id) throws SQLException {
    return cutover.rollback(id);
  }

  /**
   * Ends a switched job for good: capture stops and the job's slot and publication leave the legacy
   * server (legacy stays frozen; no rollback after this). Again: the same answer.
   */
  @PostMapping("/{id}/finish")
  Status finish(@PathVariable UUID id) {
    return Status.of(cutover.finish(id), false);
  }

  /**
   * Ends a job that did not switch (or was rolled back): capture stops and the job's slot and
   * publication leave the legacy server; legacy stays the system of record. Again: the same answer.
   */
  @PostMapping("/{id}/abandon")
  Status abandon(@PathVariable UUID id) {
    return Status.of(cutover.abandon(id), false);
  }

  /** A table to read again while streaming. */
  record ResyncRequest(@Nullable String table) {}

  /**
   * Reads one legacy table again while the job streams (an incremental snapshot); progress in the
   * status as {@code resync}. 202: asked; the rows arrive as the engine reads them.
   */
  @PostMapping("/{id}/resync")
  ResponseEntity<JobRunner.Resync> resync(
      @PathVariable UUID id, @RequestBody(required = false) @Nullable ResyncRequest request) {
    String table = request == null || request.table() == null ? "" : request.table().trim();
    if (!LegacySchema.TABLES.contains(table)) {
      throw invalid("table must be one of " + LegacySchema.TABLES);
    }
    return ResponseEntity.accepted().body(runner.resync(id, table));
  }

  @PostMapping("/{id}/start")
  ResponseEntity<Status> start(@PathVariable UUID id) {
    return ResponseEntity.accepted().body(Status.of(runner.start(id), true));
  }

  @PostMapping("/{id}/pause")
  Status pause(@PathVariable UUID id) {
    return Status.of(runner.pause(id), false);
  }

  @PostMapping("/{id}/resume")
  ResponseEntity<Status> resume(@PathVariable UUID id) {
    return ResponseEntity.accepted().body(Status.of(runner.resume(id), true));
  }

  /**
   * The report plus, with {@code ledger=true}, legacy balances against ledger-service's, the
   * wallets the continuous reconciliation flagged while streaming ({@code streaming}), and the
   * latest cutover attempt (with the wallets limited and held) if there was one.
   */
  record ReportWithLedger(
      @JsonUnwrapped Reconciliation.Report report,
      Reconciliation.@Nullable LedgerCheck ledger,
      ContinuousReconciliation.Summary streaming,
      boolean clean,
      Cutover.@Nullable Record cutover) {}

  /**
   * The job's reconciliation report. {@code ledger=true} also reads every wallet's balance from
   * ledger-service, after waiting at most {@code waitSeconds} for the lag to drain and every
   * command to be answered.
   */
  @GetMapping("/{id}/report")
  ReportWithLedger report(
      @PathVariable UUID id,
      @RequestParam(defaultValue = "false") boolean ledger,
      @RequestParam(defaultValue = "30") int waitSeconds)
      throws SQLException {
    if (waitSeconds < 0 || waitSeconds > Reconciliation.LEDGER_WAIT_MAX.toSeconds()) {
      throw invalid("waitSeconds must be 0.." + Reconciliation.LEDGER_WAIT_MAX.toSeconds());
    }
    Reconciliation.LedgerCheck check = null;
    if (ledger) {
      try {
        check = reconciliation.ledgerCheck(id, Duration.ofSeconds(waitSeconds));
      } catch (LedgerUnavailable e) {
        throw new ProblemException(
            HttpStatus.SERVICE_UNAVAILABLE,
            ProblemTypes.of("ledger-unavailable"),
            "Ledger unavailable",
            e.getMessage());
      }
    }
    Reconciliation.Report report = reconciliation.report(id);
    ContinuousReconciliation.Summary streaming = continuous.summary(id);
    return new ReportWithLedger(
        report,
        check,
        streaming,
        report.clean() && (check == null || check.clean()) && streaming.mismatchCount() == 0,
        cutover.latest(id).orElse(null));
  }

  /** The same report as a readable HTML page ({@code ./tpw migrate report --html FILE}). */
  @GetMapping(value = "/{id}/report.html", produces = MediaType.TEXT_HTML_VALUE)
  String reportPage(
      @PathVariable UUID id,
      @RequestParam(defaultValue = "false") boolean ledger,
      @RequestParam(defaultValue = "30") int waitSeconds)
      throws SQLException {
    return ReportPage.render(report(id, ledger, waitSeconds));
  }

  private static ProblemException invalid(String detail) {
    return ProblemException.badRequest(ProblemTypes.VALIDATION, "Invalid migration", detail);
  }
}
