package io.tpwallet.migration.job;

import io.tpwallet.common.thread.DaemonThreads;
import io.tpwallet.migration.cdc.CdcSource;
import io.tpwallet.migration.ledger.LedgerClient;
import jakarta.annotation.PreDestroy;
import java.math.BigInteger;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Reconciles every streaming job while it streams, every {@code tpw.migration.reconcile.interval}:
 * per legacy wallet the stored legacy balance, count and checksum of its successful transactions
 * against the job's commands ({@link Reconciliation#compare}) and, for jobs of at most {@code
 * ledger-accounts-max} wallets, the legacy balance against ledger-service's.
 *
 * <p>A difference seen while legacy is written is mostly lag, so a wallet is only a suspect at the
 * first look. It is flagged as a mismatch at a later look only if, by then, the runner has applied
 * a change committed after the first look (so every change legacy had when it was first read is
 * applied), or has caught up with legacy altogether; legacy has not changed the wallet in between
 * (same balance, count and checksum, so the first look is still legacy's truth); it still differs;
 * and, for a difference with the ledger, every command of the wallet has been answered. Flagged
 * wallets are stored ({@code reconciliation_mismatch}) with the reason and cleared when a later
 * pass finds them equal.
 */
@Component
public class ContinuousReconciliation {

  private static final Logger log = LoggerFactory.getLogger(ContinuousReconciliation.class);

  /** The interval may not be shorter: a pass reads every wallet of every streaming job. */
  static final Duration INTERVAL_MIN = Duration.ofMillis(100);

  /** The legacy balance changed without a transaction: the transactions agree, the balance not. */
  static final String BALANCE_WITHOUT_TRANSACTION = "balance-without-transaction";

  /** The count or checksum of the successful transactions differs. */
  static final String TRANSACTIONS_DIFFER = "transactions-differ";

  /** The stored legacy balance has more digits than the asset's scale. */
  static final String BALANCE_NOT_REPRESENTABLE = "balance-not-representable";

  /** ledger-service's balance differs from legacy although the job's commands agree with it. */
  static final String LEDGER_BALANCE_DIFFERS = "ledger-balance-differs";

  /** A wallet flagged as a mismatch. Balances are minor units; times are the legacy server's. */
  public record Mismatch(
      long walletId,
      UUID accountId,
      String reason,
      String detail,
      @Nullable String legacyBalance,
      String migratedBalance,
      @Nullable String ledgerBalance,
      Instant firstSeenAt,
      Instant flaggedAt) {}

  /**
   * The last pass over a job: when, how long, how many wallets were compared, how many differ but
   * wait for the lag ({@code awaitingLag}), whether the ledger was compared too, and the
   * mismatches.
   */
  public record Summary(
      @Nullable Instant lastPassAt,
      long passMs,
      int accountsChecked,
      int awaitingLag,
      boolean ledgerCompared,
      @Nullable String error,
      int mismatchCount,
      List<Mismatch> mismatches) {}

  private record Pass(
      Instant at,
      long ms,
      int accountsChecked,
      int awaitingLag,
      boolean ledgerCompared,
      @Nullable String error) {}

  /** A wallet that differed at a look, and legacy's state of it then. */
  private record Suspect(Instant firstSeenAt, String legacyState) {}

  private final Reconciliation reconciliation;
  private final MigrationJobs jobs;
  private final JobRunner runner;
  private final Drain drain;
  private final LedgerClient ledger;
  private final JdbcClient jdbc;
  private final Clock clock;
  private final int ledgerAccountsMax;
  private final Map<UUID, Map<Long, Suspect>> suspects = new ConcurrentHashMap<>();
  private final Map<UUID, Pass> passes = new ConcurrentHashMap<>();
  private final @Nullable ScheduledExecutorService scheduler;

  ContinuousReconciliation(
      Reconciliation reconciliation,
      MigrationJobs jobs,
      JobRunner runner,
      Drain drain,
      LedgerClient ledger,
      JdbcClient jdbc,
      Clock clock,
      @Value("${tpw.migration.reconcile.interval:30s}") Duration interval,
      @Value("${tpw.migration.reconcile.ledger-accounts-max:10000}") int ledgerAccountsMax) {
    this.reconciliation = reconciliation;
    this.jobs = jobs;
    this.runner = runner;
    this.drain = drain;
    this.ledger = ledger;
    this.jdbc = jdbc;
    this.clock = clock;
    this.ledgerAccountsMax = ledgerAccountsMax;
    if (interval.isZero()) {
      scheduler = null; // turned off
      return;
    }
    if (interval.compareTo(INTERVAL_MIN) < 0) {
      throw new IllegalArgumentException(
          "tpw.migration.reconcile.interval must be 0 (off) or at least " + INTERVAL_MIN);
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("migration-reconcile"));
    scheduler.scheduleWithFixedDelay(
        this::passAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @PreDestroy
  void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  private void passAll() {
    for (MigrationJob job : jobs.list()) {
      if (job.phase() != Phase.STREAMING || !runner.isRunning(job.id())) {
        suspects.remove(job.id()); // a first look from before a pause proves nothing later
        continue;
      }
      if (runner.resyncUnderWay(job.id())) {
        // A resync's window holds its table's changes back while the rest streams on, so what was
        // applied says nothing about lag until it is over: no look counts from before its end.
        suspects.remove(job.id());
        continue;
      }
      long started = System.nanoTime();
      try {
        pass(job);
      } catch (SQLException | RuntimeException e) {
        log.warn("job {}: reconciliation pass failed: {}", job.id(), e.toString());
        Pass last = passes.get(job.id());
        passes.put(
            job.id(),
            new Pass(
                clock.instant(),
                Duration.ofNanos(System.nanoTime() - started).toMillis(),
                last == null ? 0 : last.accountsChecked(),
                last == null ? 0 : last.awaitingLag(),
                last != null && last.ledgerCompared(),
                e.getMessage()));
      }
    }
  }

  /** One look at one job: compare, then flag what outlived the lag and clear what reconciles. */
  void pass(MigrationJob staleJob) throws SQLException {
    long started = System.nanoTime();
    UUID id = staleJob.id();
    // Read before anything else: the commands compared below hold at least the changes up to here.
    MigrationJob job = jobs.get(id);
    Instant applied = runner.streamedUpTo(id);
    boolean compareLedger = !job.dryRun();
    Map<Long, long[]> open = compareLedger ? openCommands(id) : Map.of();
    Reconciliation.Comparison now = reconciliation.compare(job);
    compareLedger = compareLedger && now.wallets().size() <= ledgerAccountsMax;
    Map<Long, Suspect> seen = suspects.computeIfAbsent(id, k -> new ConcurrentHashMap<>());
    Map<Long, Suspect> next = new HashMap<>();
    Map<Long, Mismatch> flagged = new HashMap<>();
    Boolean caughtUp = null;
    for (Reconciliation.WalletView w : now.wallets()) {
      String reason = null;
      String detail = null;
      String inLedger = null;
      if (!w.matches()) {
        if (w.legacyBalance() == null) {
          reason = BALANCE_NOT_REPRESENTABLE;
          detail =
              "the legacy balance "
                  + w.legacyRawBalance()
                  + " has more digits than "
                  + w.asset()
                  + "'s scale";
        } else if (w.legacyCount() == w.ledgerCount() && w.legacyChecksum() == w.ledgerChecksum()) {
          reason = BALANCE_WITHOUT_TRANSACTION;
          detail =
              "legacy balance "
                  + w.legacyBalance()
                  + ", the migrated history gives "
                  + w.ledgerBalance()
                  + " while the "
                  + w.legacyCount()
                  + " successful transactions agree: the legacy balance changed without a"
                  + " transaction";
        } else {
          reason = TRANSACTIONS_DIFFER;
          detail =
              "legacy has "
                  + w.legacyCount()
                  + " successful transactions (checksum "
                  + Long.toHexString(w.legacyChecksum())
                  + "), the job's commands "
                  + w.ledgerCount()
                  + " ("
                  + Long.toHexString(w.ledgerChecksum())
                  + ")";
        }
      } else if (compareLedger) {
        long[] counts = open.getOrDefault(w.walletId(), new long[2]);
        BigInteger balance =
            ledger
                .balance(job.ids().walletAccount(w.walletId()))
                .map(LedgerClient.Balance::balance)
                .orElse(null);
        inLedger = balance == null ? null : balance.toString();
        if (!w.legacyBalance().equals(inLedger)) {
          if (counts[0] > 0) {
            // The ledger has not answered all of the wallet's commands yet: lag.
            next.put(w.walletId(), new Suspect(now.legacyReadAt(), w.legacyState()));
            continue;
          }
          reason = LEDGER_BALANCE_DIFFERS;
          detail =
              "ledger-service has "
                  + (inLedger == null ? "no account" : inLedger)
                  + ", legacy and the job's commands "
                  + w.legacyBalance()
                  + (counts[1] > 0 ? "; " + counts[1] + " of its commands were rejected" : "");
        }
      }
      if (reason == null) {
        continue; // equal: not a suspect, and no longer a mismatch
      }
      Suspect before = seen.get(w.walletId());
      if (before == null || !before.legacyState().equals(w.legacyState())) {
        next.put(w.walletId(), new Suspect(now.legacyReadAt(), w.legacyState()));
        continue; // a first look at this state of the wallet
      }
      if (applied == null || !passed(job, applied, before.firstSeenAt())) {
        if (caughtUp == null) {
          caughtUp = drain.caughtUp(job);
        }
        if (!caughtUp) {
          next.put(w.walletId(), before);
          continue; // the runner has not applied all legacy had at the first look: may be lag
        }
      }
      next.put(w.walletId(), before);
      flagged.put(
          w.walletId(),
          new Mismatch(
              w.walletId(),
              job.ids().walletAccount(w.walletId()),
              reason,
              detail,
              w.legacyBalance(),
              w.ledgerBalance(),
              inLedger,
              before.firstSeenAt(),
              now.legacyReadAt()));
    }
    suspects.put(id, new ConcurrentHashMap<>(next));
    store(id, flagged, next);
    passes.put(
        id,
        new Pass(
            clock.instant(),
            Duration.ofNanos(System.nanoTime() - started).toMillis(),
            now.wallets().size(),
            next.size() - flagged.size(),
            compareLedger,
            null));
  }

  /**
   * Whether the runner has applied a change committed after {@code firstLook}: streaming is in
   * commit order, so then it has every change committed before. The binlog keeps whole seconds.
   */
  static boolean passed(MigrationJob job, Instant applied, Instant firstLook) {
    boolean binlog = CdcSource.kindOf(job.sourceUrl()).orElseThrow() != CdcSource.Kind.POSTGRES;
    long unitMs = binlog ? 1_000 : 1;
    return applied.toEpochMilli() / unitMs > firstLook.toEpochMilli() / unitMs;
  }

  /** Per wallet, how many of the job's commands are unanswered and how many were rejected. */
  private Map<Long, long[]> openCommands(UUID id) {
    Map<Long, long[]> out = new HashMap<>();
    jdbc.sql(
            """
            select wallet, count(*) filter (where answer is null),
              count(*) filter (where answer = 'REJECTED')
            from (select debit_wallet_id wallet, answer from ledger_command where job_id = ?
                  union all
                  select credit_wallet_id, answer from ledger_command where job_id = ?) c
            where wallet <> 0 and answer is distinct from 'POSTED' group by wallet""")
        .params(id, id)
        .query(
            (RowCallbackHandler)
                rs -> out.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3)}));
    return out;
  }

  /**
   * Stores the flagged wallets: new ones inserted, ones still flagged updated, ones found equal
   * (neither flagged nor a suspect any more) deleted.
   */
  private void store(UUID id, Map<Long, Mismatch> flagged, Map<Long, Suspect> stillDiffering) {
    for (Long wallet : storedWallets(id)) {
      if (!flagged.containsKey(wallet)) {
        if (!stillDiffering.containsKey(wallet)) {
          jdbc.sql("delete from reconciliation_mismatch where job_id = ? and wallet_id = ?")
              .params(id, wallet)
              .update();
          log.info("job {}: wallet {} reconciles again", id, wallet);
        }
      }
    }
    for (Mismatch m : flagged.values()) {
      int updated =
          jdbc.sql(
                  """
                  update reconciliation_mismatch set reason = ?, detail = ?, legacy_balance = ?,
                    migrated_balance = ?, ledger_balance = ?, checked_at = ?
                  where job_id = ? and wallet_id = ?""")
              .params(
                  m.reason(),
                  m.detail(),
                  m.legacyBalance(),
                  m.migratedBalance(),
                  m.ledgerBalance(),
                  Timestamp.from(m.flaggedAt()),
                  id,
                  m.walletId())
              .update();
      if (updated == 0) {
        jdbc.sql(
                """
                insert into reconciliation_mismatch (job_id, wallet_id, account_id, reason, detail,
                  legacy_balance, migrated_balance, ledger_balance, first_seen_at, flagged_at,
                  checked_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
            .params(
                id,
                m.walletId(),
                m.accountId(),
                m.reason(),
                m.detail(),
                m.legacyBalance(),
                m.migratedBalance(),
                m.ledgerBalance(),
                Timestamp.from(m.firstSeenAt()),
                Timestamp.from(m.flaggedAt()),
                Timestamp.from(m.flaggedAt()))
            .update();
        log.warn("job {}: wallet {} does not reconcile: {}", id, m.walletId(), m.detail());
      }
    }
  }

  private List<Long> storedWallets(UUID id) {
    return jdbc.sql("select wallet_id from reconciliation_mismatch where job_id = ?")
        .param(id)
        .query(Long.class)
        .list();
  }

  /** The job's stored mismatches (at most {@link Reconciliation#LISTED_ROWS_MAX}). */
  List<Mismatch> mismatches(UUID id) {
    return jdbc.sql(
            """
            select wallet_id, account_id, reason, detail, legacy_balance, migrated_balance,
              ledger_balance, first_seen_at, flagged_at
            from reconciliation_mismatch where job_id = ? order by wallet_id limit ?""")
        .params(id, Reconciliation.LISTED_ROWS_MAX)
        .query(
            (rs, i) ->
                new Mismatch(
                    rs.getLong(1),
                    rs.getObject(2, UUID.class),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getString(6),
                    rs.getString(7),
                    rs.getTimestamp(8).toInstant(),
                    rs.getTimestamp(9).toInstant()))
        .list();
  }

  /** The last pass and the stored mismatches of a job; no pass yet: nulls and zeros. */
  Summary summary(UUID id) {
    List<Mismatch> listed = mismatches(id);
    long count =
        jdbc.sql("select count(*) from reconciliation_mismatch where job_id = ?")
            .param(id)
            .query(Long.class)
            .single();
    Optional<Pass> last = Optional.ofNullable(passes.get(id));
    return new Summary(
        last.map(Pass::at).orElse(null),
        last.map(Pass::ms).orElse(0L),
        last.map(Pass::accountsChecked).orElse(0),
        last.map(Pass::awaitingLag).orElse(0),
        last.map(Pass::ledgerCompared).orElse(false),
        last.map(Pass::error).orElse(null),
        Math.toIntExact(count),
        listed);
  }
}
