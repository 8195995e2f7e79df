package io.tpwallet.migration.job;

import io.tpwallet.common.money.Asset;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import io.tpwallet.migration.cdc.CdcSource;
import io.tpwallet.migration.ledger.LedgerClient;
import io.tpwallet.migration.legacy.LegacyStatus;
import io.tpwallet.migration.transform.Amounts;
import io.tpwallet.migration.transform.Checksums;
import io.tpwallet.migration.transform.LegacyIds;
import io.tpwallet.migration.transform.Refusal;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Compares every legacy wallet with what the migration posted for it: the stored legacy balance
 * against the balance of the ledger commands (history plus opening difference), and the count and
 * order-independent checksum of the legacy successful transactions against the migrated ones. Rows
 * the failures table explains (refused, duplicates) are left out of the legacy side and counted, so
 * that a mismatch is always something nobody has explained yet.
 */
@Component
public class Reconciliation {

  /** The report lists at most this many failures and mismatches; the counts cover all. */
  public static final int LISTED_ROWS_MAX = 1_000;

  /** The longest a reconciliation waits for the lag to drain and the ledger to answer. */
  public static final Duration LEDGER_WAIT_MAX = Duration.ofMinutes(10);

  private static final Duration POLL = Duration.ofMillis(200);

  private final JdbcClient jdbc;
  private final MigrationJobs jobs;
  private final LedgerClient ledger;
  private final Drain drain;

  Reconciliation(JdbcClient jdbc, MigrationJobs jobs, LedgerClient ledger, Drain drain) {
    this.jdbc = jdbc;
    this.jobs = jobs;
    this.ledger = ledger;
    this.drain = drain;
  }

  /** A command the ledger refused: nothing was posted for it. */
  public record Rejection(String key, UUID transferId, String code, @Nullable String detail) {}

  /**
   * One legacy wallet whose ledger balance differs from its stored legacy balance, with what
   * explains it: commands the ledger refused or has not answered yet, a legacy balance the asset
   * cannot represent, or {@code unexplained}.
   */
  public record LedgerDifference(
      long walletId,
      UUID accountId,
      String asset,
      @Nullable String legacyBalance,
      @Nullable String ledgerBalance,
      String explanation) {}

  /**
   * Legacy against the real ledger ({@code GET /v1/ledger/accounts/{id}}), read once the runner had
   * caught up with legacy and the ledger had answered every command ({@code settled}), or when the
   * wait ran out ({@code settled = false}: differences may be lag).
   */
  public record LedgerCheck(
      boolean settled,
      boolean caughtUp,
      long waitedMs,
      long commandsUnanswered,
      long commandsRejected,
      List<Rejection> rejections,
      int accountsRead,
      int accountsMatching,
      long unexplained,
      List<LedgerDifference> differences) {

    public boolean clean() {
      return differences.isEmpty() && commandsUnanswered == 0 && commandsRejected == 0;
    }
  }

  static final String UNEXPLAINED = "unexplained";

  /**
   * Compares each legacy wallet's stored balance with its balance in ledger-service, after waiting
   * at most {@code wait} for the runner to catch up with legacy and for the ledger to answer every
   * command of the job (through tpw.ledger.transfers-answered).
   */
  public LedgerCheck ledgerCheck(UUID jobId, Duration wait) throws SQLException {
    MigrationJob job = jobs.get(jobId);
    if (job.dryRun()) {
      throw new ProblemException(
          HttpStatus.CONFLICT,
          ProblemTypes.CONFLICT,
          "Dry run",
          "job " + jobId + " is a dry run: it sent nothing to the ledger");
    }
    long started = System.nanoTime();
    long deadline = started + Math.min(wait.toNanos(), LEDGER_WAIT_MAX.toNanos());
    boolean caughtUp;
    long unanswered;
    while (true) {
      job = jobs.get(jobId);
      unanswered = unanswered(jobId);
      caughtUp = drain.caughtUp(job);
      if ((caughtUp && unanswered == 0) || System.nanoTime() > deadline) {
        break;
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    long waitedMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
    List<Rejection> rejections =
        jdbc.sql(
                """
                select idem_key, transfer_id, answer_code, answer_detail from ledger_command
                where job_id = ? and answer = 'REJECTED' order by idem_key limit ?""")
            .params(jobId, LISTED_ROWS_MAX)
            .query(
                (rs, i) ->
                    new Rejection(
                        rs.getString(1),
                        rs.getObject(2, UUID.class),
                        rs.getString(3),
                        rs.getString(4)))
            .list();
    long rejected =
        jdbc.sql("select count(*) from ledger_command where job_id = ? and answer = 'REJECTED'")
            .param(jobId)
            .query(Long.class)
            .single();

    record Wallet(long id, Asset asset, @Nullable BigInteger balance) {}
    List<Wallet> wallets = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection(job.sourceUrl(), job.sourceUser(), job.sourcePassword());
        var st = c.createStatement()) {
      c.setAutoCommit(false);
      st.setFetchSize(10_000);
      try (var rs = st.executeQuery("select id, currency, balance from wallets order by id")) {
        while (rs.next()) {
          Asset asset;
          try {
            asset = Amounts.asset(rs.getString(2));
          } catch (Refusal unknownCurrency) {
            continue; // no ledger account: listed in the failures
          }
          BigInteger minor;
          try {
            minor = Amounts.toMinor(rs.getBigDecimal(3), asset);
          } catch (Refusal notRepresentable) {
            minor = null;
          }
          wallets.add(new Wallet(rs.getLong(1), asset, minor));
        }
      }
      c.commit();
    }
    List<LedgerDifference> differences = new ArrayList<>();
    int matching = 0;
    long unexplained = 0;
    for (Wallet w : wallets) {
      UUID account = job.ids().walletAccount(w.id());
      BigInteger inLedger = ledger.balance(account).map(LedgerClient.Balance::balance).orElse(null);
      if (w.balance() != null && w.balance().equals(inLedger)) {
        matching++;
        continue;
      }
      String explanation;
      if (w.balance() == null) {
        explanation = "the legacy balance has more digits than the asset's scale (see failures)";
      } else if (inLedger == null) {
        explanation = "no ledger account";
      } else {
        explanation = notPosted(jobId, w.id());
      }
      if (explanation.equals(UNEXPLAINED)) {
        unexplained++;
      }
      if (differences.size() < LISTED_ROWS_MAX) {
        differences.add(
            new LedgerDifference(
                w.id(),
                account,
                w.asset().code(),
                w.balance() == null ? null : w.balance().toString(),
                inLedger == null ? null : inLedger.toString(),
                explanation));
      }
    }
    return new LedgerCheck(
        caughtUp && unanswered == 0,
        caughtUp,
        waitedMs,
        unanswered,
        rejected,
        rejections,
        wallets.size(),
        matching,
        unexplained,
        differences);
  }

  long unanswered(UUID jobId) {
    return jdbc.sql("select count(*) from ledger_command where job_id = ? and answer is null")
        .param(jobId)
        .query(Long.class)
        .single();
  }

  /** Why a wallet's ledger balance may differ: its commands the ledger has not posted. */
  private String notPosted(UUID jobId, long walletId) {
    List<String> open =
        jdbc.sql(
                """
                select coalesce(answer_code, 'unanswered') from ledger_command
                where job_id = ? and (debit_wallet_id = ? or credit_wallet_id = ?)
                  and answer is distinct from 'POSTED'""")
            .params(jobId, walletId, walletId)
            .query(String.class)
            .list();
    if (open.isEmpty()) {
      return UNEXPLAINED;
    }
    Map<String, Long> byCode = new TreeMap<>();
    open.forEach(code -> byCode.merge(code, 1L, Long::sum));
    return "commands not posted in the ledger: " + byCode;
  }

  /** One wallet, legacy against migrated. Amounts are minor units as strings. */
  public record Account(
      long walletId,
      UUID accountId,
      String asset,
      @Nullable String legacyBalance,
      String ledgerBalance,
      long legacyCount,
      long ledgerCount,
      String legacyChecksum,
      String ledgerChecksum,
      boolean matches) {}

  /** A refused legacy row. */
  public record Failure(String table, String pk, String reason, String detail) {}

  /** An opening-balance difference booked against suspense. */
  public record Suspense(
      String wallet, String asset, String difference, String legacyBalance, UUID transferId) {}

  /** The job's report. */
  public record Report(
      UUID jobId,
      String name,
      Phase phase,
      boolean dryRun,
      long commands,
      Map<String, Long> commandsByKind,
      Map<String, Long> transactionsByState,
      long failureCount,
      Map<String, Long> failuresByReason,
      List<Failure> failures,
      List<Suspense> suspense,
      int accountsChecked,
      int accountsMatching,
      long explainedRows,
      List<Account> mismatches) {

    public boolean clean() {
      return mismatches.isEmpty();
    }
  }

  public Report report(UUID jobId) throws SQLException {
    MigrationJob job = jobs.get(jobId);
    Map<String, Long> byKind =
        counts("select kind, count(*) from ledger_command where job_id = ? group by kind", jobId);
    Map<String, Long> byState =
        counts("select state, count(*) from legacy_tx where job_id = ? group by state", jobId);
    Map<String, Long> byReason =
        counts(
            "select reason, count(*) from migration_failure where job_id = ? group by reason",
            jobId);
    List<Failure> failures =
        jdbc.sql(
                "select source_table, source_pk, reason, detail from migration_failure"
                    + " where job_id = ? order by source_table, source_pk, reason limit ?")
            .params(jobId, LISTED_ROWS_MAX)
            .query(
                (rs, i) ->
                    new Failure(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
            .list();
    List<Suspense> suspense =
        jdbc.sql(
                """
                select c.idem_key, c.asset, c.amount, c.credit_wallet_id, c.debit_wallet_id,
                  c.transfer_id, w.balance
                from ledger_command c
                join legacy_wallet w on w.job_id = c.job_id
                  and w.wallet_id = greatest(c.credit_wallet_id, c.debit_wallet_id)
                where c.job_id = ? and c.kind = 'OPENING' order by c.idem_key limit ?""")
            .params(jobId, LISTED_ROWS_MAX)
            .query(
                (rs, i) -> {
                  long credit = rs.getLong(4);
                  BigInteger amount = rs.getBigDecimal(3).toBigIntegerExact();
                  long wallet = credit != 0 ? credit : rs.getLong(5);
                  return new Suspense(
                      LegacyIds.key("wallets", wallet),
                      rs.getString(2),
                      (credit != 0 ? amount : amount.negate()).toString(),
                      rs.getString(7),
                      rs.getObject(6, UUID.class));
                })
            .list();

    Comparison comparison = compare(job);
    List<Account> mismatches = new ArrayList<>();
    int matching = 0;
    for (WalletView w : comparison.wallets()) {
      if (w.matches()) {
        matching++;
      } else if (mismatches.size() < LISTED_ROWS_MAX) {
        mismatches.add(
            new Account(
                w.walletId(),
                job.ids().walletAccount(w.walletId()),
                w.asset(),
                w.legacyBalance(),
                w.ledgerBalance(),
                w.legacyCount(),
                w.ledgerCount(),
                Long.toHexString(w.legacyChecksum()),
                Long.toHexString(w.ledgerChecksum()),
                false));
      }
    }
    long failureCount = byReason.values().stream().mapToLong(Long::longValue).sum();
    return new Report(
        jobId,
        job.name(),
        job.phase(),
        job.dryRun(),
        byKind.values().stream().mapToLong(Long::longValue).sum(),
        byKind,
        byState,
        failureCount,
        byReason,
        failures,
        suspense,
        comparison.wallets().size(),
        matching,
        comparison.explainedRows(),
        mismatches);
  }

  /**
   * One legacy wallet as legacy has it and as the job's commands have it (balance in minor units,
   * count and checksum of the successful transactions). {@code legacyBalance} is null when the
   * stored balance has more digits than the asset's scale.
   */
  record WalletView(
      long walletId,
      String asset,
      String legacyRawBalance,
      @Nullable String legacyBalance,
      String ledgerBalance,
      long legacyCount,
      long ledgerCount,
      long legacyChecksum,
      long ledgerChecksum) {

    boolean matches() {
      return legacyBalance != null
          && legacyBalance.equals(ledgerBalance)
          && legacyCount == ledgerCount
          && legacyChecksum == ledgerChecksum;
    }

    /** What legacy has of the wallet: the same state twice means legacy did not touch it. */
    String legacyState() {
      return legacyRawBalance + "/" + legacyCount + "/" + Long.toHexString(legacyChecksum);
    }
  }

  /**
   * Every legacy wallet whose currency is a platform asset, legacy against migrated. The legacy
   * side is read in one repeatable-read transaction, and {@code legacyReadAt} is the legacy
   * server's clock after those reads: every change that legacy read had committed before it.
   */
  record Comparison(List<WalletView> wallets, long explainedRows, Instant legacyReadAt) {}

  /** Reads the migrated side first, then legacy: legacy is never behind what was migrated. */
  Comparison compare(MigrationJob job) throws SQLException {
    UUID jobId = job.id();
    // The migrated side, per wallet. The join names the legacy row by its key (the number after
    // "legacy:transactions:", 20 characters), so that it is an index probe whatever the planner
    // estimates: joined on the key's text alone, a plan made from statistics taken while the job
    // was small (autovacuum analyzes as tables grow) compared every command with every row, and
    // one pass over 75,000 commands ran for minutes.
    Map<Long, Side> migrated = new HashMap<>();
    jdbc.sql(
            """
            select c.idem_key, c.kind, c.amount, c.debit_wallet_id, c.credit_wallet_id,
              t.state
            from ledger_command c
            left join legacy_tx t on t.job_id = c.job_id and c.kind = 'TRANSACTION'
              and t.tx_id = case when c.kind = 'TRANSACTION'
                                      and c.idem_key ~ '^legacy:transactions:[0-9]{1,18}$'
                                 then substring(c.idem_key from 21)::bigint end
              and c.idem_key = 'legacy:transactions:' || t.tx_id
            where c.job_id = ?""")
        .param(jobId)
        .query(
            rs -> {
              String key = rs.getString(1);
              String kind = rs.getString(2);
              BigInteger amount = rs.getBigDecimal(3).toBigIntegerExact();
              long debit = rs.getLong(4);
              long credit = rs.getLong(5);
              boolean counted = kind.equals("TRANSACTION") && "POSTED".equals(rs.getString(6));
              if (debit != 0) {
                migrated
                    .computeIfAbsent(debit, k -> new Side())
                    .add(key, amount.negate(), amount, counted);
              }
              if (credit != 0) {
                migrated.computeIfAbsent(credit, k -> new Side()).add(key, amount, amount, counted);
              }
            });

    // The legacy side, read now from the legacy database.
    Set<Long> explained =
        new HashSet<>(
            jdbc.sql(
                    "select distinct source_pk::bigint from migration_failure where job_id = ?"
                        + " and source_table = 'transactions'")
                .param(jobId)
                .query(Long.class)
                .list());
    Map<Long, Side> legacy = new HashMap<>();
    Map<Long, String> assets = new HashMap<>();
    Map<Long, String> balances = new TreeMap<>();
    long explainedRows = 0;
    Instant legacyReadAt;
    try (Connection c =
        DriverManager.getConnection(job.sourceUrl(), job.sourceUser(), job.sourcePassword())) {
      // One snapshot for wallets and transactions, so that a transfer is seen on both or neither.
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try (var st = c.createStatement();
          var rs = st.executeQuery("select id, currency, balance from wallets")) {
        while (rs.next()) {
          long id = rs.getLong(1);
          String asset = Asset.find(rs.getString(2).trim()).map(Asset::code).orElse(null);
          if (asset != null) {
            assets.put(id, asset);
          }
          balances.put(id, rs.getBigDecimal(3).toPlainString());
        }
      }
      try (var st = c.createStatement()) {
        st.setFetchSize(10_000);
        try (var rs =
            st.executeQuery(
                "select id, wallet_id, counterparty_wallet_id, kind, amount from transactions"
                    + " where status_code = "
                    + LegacyStatus.SUCCESS.code()
                    + " and deleted = 0")) {
          while (rs.next()) {
            long id = rs.getLong(1);
            if (explained.contains(id)) {
              explainedRows++;
              continue;
            }
            long wallet = rs.getLong(2);
            long counterparty = rs.getLong(3);
            String asset = assets.get(wallet);
            if (asset == null) {
              continue;
            }
            BigInteger amount;
            try {
              amount = Amounts.toMinor(rs.getBigDecimal(5), Asset.find(asset).orElseThrow());
            } catch (Refusal notYetSeen) {
              // Refused once the migration sees it (it has not yet, it is in the lag).
              explainedRows++;
              continue;
            }
            String key = LegacyIds.key("transactions", id);
            switch (rs.getString(4).trim()) {
              case "DEP" ->
                  legacy.computeIfAbsent(wallet, k -> new Side()).add(key, amount, amount, true);
              case "WDR" ->
                  legacy
                      .computeIfAbsent(wallet, k -> new Side())
                      .add(key, amount.negate(), amount, true);
              default -> {
                legacy
                    .computeIfAbsent(wallet, k -> new Side())
                    .add(key, amount.negate(), amount, true);
                legacy
                    .computeIfAbsent(counterparty, k -> new Side())
                    .add(key, amount, amount, true);
              }
            }
          }
        }
      }
      legacyReadAt = legacyClock(c, job);
      c.commit();
    }

    List<WalletView> wallets = new ArrayList<>();
    for (var entry : balances.entrySet()) {
      long wallet = entry.getKey();
      String asset = assets.get(wallet);
      if (asset == null) {
        continue; // refused wallet: listed in failures
      }
      String legacyBalance;
      try {
        legacyBalance =
            Amounts.toMinor(new BigDecimal(entry.getValue()), Asset.find(asset).orElseThrow())
                .toString();
      } catch (Refusal r) {
        legacyBalance = null;
      }
      Side l = legacy.getOrDefault(wallet, new Side());
      Side m = migrated.getOrDefault(wallet, new Side());
      wallets.add(
          new WalletView(
              wallet,
              asset,
              entry.getValue(),
              legacyBalance,
              m.balance.toString(),
              l.count,
              m.count,
              l.checksum,
              m.checksum));
    }
    return new Comparison(wallets, explainedRows, legacyReadAt);
  }

  /** The legacy server's clock now, read on the connection of the comparison. */
  private static Instant legacyClock(Connection c, MigrationJob job) throws SQLException {
    boolean postgres = CdcSource.kindOf(job.sourceUrl()).orElseThrow() == CdcSource.Kind.POSTGRES;
    // clock_timestamp(), not now(): PostgreSQL's now() is the start of the transaction.
    String sql =
        postgres
            ? "select extract(epoch from clock_timestamp())"
            : "select unix_timestamp(sysdate(6))";
    try (var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      BigDecimal seconds = rs.getBigDecimal(1);
      return Instant.ofEpochSecond(0).plusNanos(seconds.movePointRight(9).longValue());
    }
  }

  /** A running balance, count and checksum of one wallet's postings on one side. */
  private static final class Side {
    BigInteger balance = BigInteger.ZERO;
    long count;
    long checksum;

    void add(String key, BigInteger signed, BigInteger amount, boolean counted) {
      balance = balance.add(signed);
      if (counted) {
        count++;
        checksum += Checksums.of(key, amount);
      }
    }
  }

  private Map<String, Long> counts(String sql, UUID jobId) {
    Map<String, Long> out = new TreeMap<>();
    jdbc.sql(sql)
        .param(jobId)
        .query(
            rs -> {
              out.put(rs.getString(1), rs.getLong(2));
            });
    return out;
  }
}
