package io.tpwallet.migration.job;

import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferRequested;
import io.tpwallet.common.event.TransfersRequested;
import io.tpwallet.common.money.Asset;
import io.tpwallet.common.outbox.Outbox;
import io.tpwallet.migration.cdc.ChangeEvent;
import io.tpwallet.migration.ledger.AccountSpec;
import io.tpwallet.migration.ledger.LedgerAccounts;
import io.tpwallet.migration.legacy.LegacyStatus;
import io.tpwallet.migration.transform.Amounts;
import io.tpwallet.migration.transform.LedgerCommand;
import io.tpwallet.migration.transform.LegacyIds;
import io.tpwallet.migration.transform.LegacyTime;
import io.tpwallet.migration.transform.LegacyTransaction;
import io.tpwallet.migration.transform.Refusal;
import io.tpwallet.migration.transform.TransactionMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies a batch of legacy changes in one transaction of the migration database: the legacy rows
 * as seen, the ledger commands (each idempotency key at most once, with its TransferRequested in
 * the outbox in the same transaction), the refused rows with their reasons, and the job's progress.
 * A replayed batch finds its keys taken and changes nothing.
 *
 * <p>Snapshot rows of transactions are only staged (unmapped); when the snapshot is complete they
 * are mapped in primary-key order (so that every wallet is known and orphans are real orphans),
 * each from the state it had (a snapshot read again re-reads rows mapped before), then each
 * wallet's stored balance is compared with its migrated history and the difference is posted
 * against the suspense account. Streamed changes are mapped in commit order, in memory, from what
 * the batch read of their rows with one query per table; the batch's writes are one statement per
 * table.
 */
@Component
class ChangeApplier {

  static final String USERS = "users";
  static final String WALLETS = "wallets";
  static final String TRANSACTIONS = TransactionMapper.TABLE;
  private static final int STAGED_PAGE_ROWS_MAX = 1_000;
  private static final String STAGED = "STAGED";
  private static final String DUPLICATE = "DUPLICATE";

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;

  /**
   * How long a batch waits for an unreachable ledger to open the account of a wallet it has not
   * seen before; then the batch fails unapplied and the job waits for the ledger.
   */
  static final Duration ACCOUNT_OPEN_RETRY_MAX = Duration.ofSeconds(10);

  private final Outbox outbox;
  private final LedgerAccounts accounts;
  private final MigrationJobs jobs;
  private final Imports imports;
  private final Clock clock;

  ChangeApplier(
      JdbcClient jdbc,
      PlatformTransactionManager transactions,
      Outbox outbox,
      LedgerAccounts accounts,
      MigrationJobs jobs,
      Imports imports,
      Clock clock) {
    this.jdbc = jdbc;
    this.tx = new TransactionTemplate(transactions);
    this.outbox = outbox;
    this.accounts = accounts;
    this.jobs = jobs;
    this.imports = imports;
    this.clock = clock;
  }

  void apply(MigrationJob job, List<ChangeEvent> batch) {
    tx.executeWithoutResult(status -> applyInTransaction(job, batch));
  }

  private void applyInTransaction(MigrationJob job, List<ChangeEvent> batch) {
    // Lock the job row: one batch at a time per job, and a fresh view of its snapshot state.
    boolean done =
        jdbc.sql(
                "select snapshot_completed_at is not null from migration_job where id = ? for update")
            .param(job.id())
            .query(Boolean.class)
            .single();
    var run = new Run(job);
    run.snapshotDone = done;
    long snapshotted = 0;
    long streamed = 0;
    long lastSourceMs = -1;
    learn(run, batch, done);
    for (int i = 0; i < batch.size(); i++) {
      ChangeEvent e = batch.get(i);
      if (done && e.kind() == ChangeEvent.Kind.ROW && e.fromSnapshot()) {
        // Debezium reads the initial snapshot again: its stored offsets said the snapshot was not
        // finished (the runner had committed its end, the engine had not stored the offsets of
        // it). Then the job is snapshotting again, and the rows it re-reads are mapped again at
        // its end from the state they had, not taken for streamed changes one by one.
        flush(run);
        jobs.reopenSnapshot(job.id());
        done = false;
        run.snapshotDone = false;
        snapshotted = 0;
        run.forget();
      }
      if (!done && !e.fromSnapshot()) {
        completeSnapshot(run);
        done = true;
        learn(run, batch.subList(i, batch.size()), true);
      }
      if (e.kind() == ChangeEvent.Kind.HEARTBEAT) {
        continue;
      }
      String table = Objects.requireNonNullElse(e.table(), "");
      switch (table) {
        case USERS -> user(run, e);
        case WALLETS -> wallet(run, e);
        case TRANSACTIONS -> transaction(run, e, done);
        default -> {
          // Not a legacy table row (the engine's own events carry no table).
        }
      }
      if (e.fromSnapshot()) {
        snapshotted++;
      } else {
        streamed++;
        lastSourceMs = e.sourceTsMs();
      }
      if (e.snapshot() == ChangeEvent.Snapshot.LAST && !done) {
        completeSnapshot(run);
        done = true;
        learn(run, batch.subList(i + 1, batch.size()), true);
      }
    }
    flush(run);
    Instant now = clock.instant();
    jdbc.sql(
            """
            update migration_job set rows_snapshotted = rows_snapshotted + ?,
              events_streamed = events_streamed + ?,
              last_event_source_at = coalesce(?, last_event_source_at),
              last_lag_ms = coalesce(?, last_lag_ms),
              last_event_applied_at = ?,
              phase = case when phase in ('SNAPSHOTTING', 'STREAMING')
                           then (case when snapshot_completed_at is null then 'SNAPSHOTTING' else 'STREAMING' end)
                           else phase end,
              updated_at = ?
            where id = ?""")
        .params(
            snapshotted,
            streamed,
            lastSourceMs < 0 ? null : Timestamp.from(Instant.ofEpochMilli(lastSourceMs)),
            lastSourceMs < 0 ? null : Math.max(0, now.toEpochMilli() - lastSourceMs),
            Timestamp.from(now),
            Timestamp.from(now),
            job.id())
        .update();
  }

  /** The amount and accounts of a recorded transfer command, to compare a changed row with. */
  private record Posted(BigInteger amount, UUID debit, UUID credit) {}

  /** A legacy transaction row to write: staged for the snapshot's end, or mapped already. */
  private record Image(LegacyTransaction row, boolean staged) {}

  /** A legacy wallet row to write. */
  private record WalletRow(
      long id,
      @Nullable Long userId,
      String currency,
      @Nullable String asset,
      String balance,
      @Nullable BigInteger balanceMinor,
      boolean deleted,
      UUID accountId) {}

  /**
   * Per-batch state: the job, its mapper, what the batch read of the migration database and has
   * changed since (kept up to date in memory, change by change, so that each change sees what the
   * ones before it did), and the writes not sent yet. Writes are sent by {@link #flush}, one
   * statement per table: a snapshot of 1M rows costs a few thousand statements instead of millions,
   * and a streamed batch a dozen instead of a few per change.
   */
  private final class Run {
    final MigrationJob job;
    final TransactionMapper mapper;

    /** Wallet id to its asset code ('?' + currency when unknown); empty: no such wallet. */
    final Map<Long, Optional<String>> assets = new HashMap<>();

    /** Ledger accounts known to be open. */
    final Set<UUID> open = new HashSet<>();

    /** Known legacy transaction rows: their state (STAGED for one not recorded yet)... */
    final Map<Long, String> stateOf = new HashMap<>();

    /** ...and their fingerprint (none for one not recorded yet). */
    final Map<Long, String> fingerprintOf = new HashMap<>();

    /** For each fingerprint read, the rows that have it and are not duplicates. */
    final Map<String, TreeSet<Long>> nonDuplicates = new HashMap<>();

    /** Recorded transfer commands read or made, by idempotency key. */
    final Map<String, Posted> posted = new HashMap<>();

    /** Legacy transaction rows to write, by id; a later image of a row replaces it. */
    final Map<Long, Image> rows = new LinkedHashMap<>();

    /** Wallet rows to write, by id; a later image replaces it. */
    final Map<Long, WalletRow> wallets = new LinkedHashMap<>();

    /** Commands to record (and announce, unless recorded before), in order. */
    final List<Command> commands = new ArrayList<>();

    /** States to write of rows not in {@link #rows}. */
    final Map<Long, String> states = new LinkedHashMap<>();

    final Map<List<String>, Refusal> failures = new LinkedHashMap<>();

    /** Legacy user rows to write (and announce to account-service when changed), by id. */
    final Map<Long, Imports.UserRow> users = new LinkedHashMap<>();

    /**
     * Streamed wallets to import into account-service once written; snapshot wallets wait for the
     * snapshot's end, when every user the snapshot holds is known, whatever order it read them in.
     */
    final Set<Long> walletsToImport = new LinkedHashSet<>();

    /**
     * Whether the job's snapshot is complete: changes are streamed, imports go out as they come.
     */
    boolean snapshotDone;

    Run(MigrationJob job) {
      this.job = job;
      this.mapper = new TransactionMapper(job.legacyZone(), job.ids());
    }

    /** Forgets what was read of legacy transactions and commands, after the state moved on. */
    void forget() {
      stateOf.clear();
      fingerprintOf.clear();
      nonDuplicates.clear();
      posted.clear();
    }

    /** The asset of a legacy wallet; empty if there is no such wallet; refused if unknown. */
    Optional<Asset> asset(long walletId) {
      Optional<String> found =
          assets.computeIfAbsent(
              walletId,
              id ->
                  jdbc.sql(
                          "select coalesce(asset, '?' || currency) from legacy_wallet"
                              + " where job_id = ? and wallet_id = ?")
                      .params(job.id(), id)
                      .query(String.class)
                      .optional());
      if (found.isEmpty()) {
        return Optional.empty();
      }
      String code = found.get();
      if (code.startsWith("?")) {
        throw new Refusal(
            Refusal.UNKNOWN_CURRENCY,
            "wallet " + walletId + " has unknown currency '" + code.substring(1) + "'");
      }
      return Asset.find(code);
    }

    /** The rows of a fingerprint that are not duplicates (read by {@link #learnRows}). */
    TreeSet<Long> nonDuplicates(String fingerprint) {
      return Objects.requireNonNull(
          nonDuplicates.get(fingerprint), "fingerprint not read: " + fingerprint);
    }

    /** The row now has {@code fingerprint}; it counts as a non-duplicate unless it is one. */
    void fingerprint(long txId, String fingerprint) {
      String before = fingerprintOf.put(txId, fingerprint);
      if (before != null && nonDuplicates.containsKey(before)) {
        nonDuplicates.get(before).remove(txId);
      }
      if (!DUPLICATE.equals(stateOf.get(txId)) && nonDuplicates.containsKey(fingerprint)) {
        nonDuplicates.get(fingerprint).add(txId);
      }
    }
  }

  /**
   * Reads, with one query per table, what the changes of {@code events} need: the assets of the
   * wallets the streamed transactions name, which wallet accounts are open, and the streamed rows'
   * states, fingerprints and recorded commands. Only what is not known yet is read, after the
   * pending writes are sent, so that nothing read is older than what the batch did.
   */
  private void learn(Run run, List<ChangeEvent> events, boolean snapshotDone) {
    flush(run);
    Set<Long> walletIds = new HashSet<>();
    Set<UUID> walletAccounts = new HashSet<>();
    List<LegacyTransaction> streamed = new ArrayList<>();
    for (ChangeEvent e : events) {
      if (e.kind() != ChangeEvent.Kind.ROW) {
        continue;
      }
      Map<String, @Nullable Object> row = image(e);
      if (row == null) {
        continue;
      }
      if (WALLETS.equals(e.table())) {
        walletAccounts.add(run.job.ids().walletAccount(number(row.get("id"))));
      } else if (TRANSACTIONS.equals(e.table()) && snapshotDone && !e.fromSnapshot()) {
        streamed.add(legacyTransaction(e, row));
      }
    }
    walletAccounts.removeAll(run.open);
    if (!run.job.dryRun()) {
      run.open.addAll(accounts.openAmong(walletAccounts));
    }
    for (LegacyTransaction t : streamed) {
      walletIds.add(t.walletId());
      if (t.counterpartyWalletId() != null) {
        walletIds.add(t.counterpartyWalletId());
      }
    }
    learnAssets(run, walletIds);
    List<Long> unknown =
        streamed.stream()
            .map(LegacyTransaction::id)
            .filter(id -> !run.stateOf.containsKey(id))
            .distinct()
            .toList();
    if (!unknown.isEmpty()) {
      jdbc.sql(
              "select tx_id, state, fingerprint from legacy_tx where job_id = ? and tx_id = any(?)")
          .params(run.job.id(), unknown.toArray(Long[]::new))
          .query(
              rs -> {
                run.stateOf.put(rs.getLong(1), rs.getString(2));
                run.fingerprintOf.put(rs.getLong(1), rs.getString(3));
              });
      unknown.forEach(id -> run.stateOf.putIfAbsent(id, STAGED));
    }
    learnRows(run, streamed);
  }

  /** Reads the assets of the wallets not known yet, with one query. */
  private void learnAssets(Run run, Set<Long> walletIds) {
    List<Long> unknown = walletIds.stream().filter(id -> !run.assets.containsKey(id)).toList();
    if (unknown.isEmpty()) {
      return;
    }
    jdbc.sql(
            "select wallet_id, coalesce(asset, '?' || currency) from legacy_wallet"
                + " where job_id = ? and wallet_id = any(?)")
        .params(run.job.id(), unknown.toArray(Long[]::new))
        .query(
            rs -> {
              run.assets.put(rs.getLong(1), Optional.of(rs.getString(2)));
            });
    unknown.forEach(id -> run.assets.putIfAbsent(id, Optional.empty()));
  }

  /**
   * Reads, for rows whose states are known, the non-duplicate rows of their fingerprints and the
   * recorded commands of those posted, with one query each.
   */
  private void learnRows(Run run, List<LegacyTransaction> rows) {
    String[] fingerprints =
        rows.stream()
            .map(LegacyTransaction::fingerprint)
            .filter(f -> !run.nonDuplicates.containsKey(f))
            .distinct()
            .toArray(String[]::new);
    if (fingerprints.length > 0) {
      for (String f : fingerprints) {
        run.nonDuplicates.put(f, new TreeSet<>());
      }
      jdbc.sql(
              """
              select fingerprint, tx_id from legacy_tx
              where job_id = ? and fingerprint = any(?) and state <> 'DUPLICATE'""")
          .params(run.job.id(), fingerprints)
          .query(
              rs -> {
                run.nonDuplicates.get(rs.getString(1)).add(rs.getLong(2));
              });
    }
    String[] postedKeys =
        rows.stream()
            .filter(t -> isPosted(run.stateOf.get(t.id())))
            .map(t -> LegacyIds.key(TRANSACTIONS, t.id()))
            .filter(k -> !run.posted.containsKey(k))
            .distinct()
            .toArray(String[]::new);
    if (postedKeys.length > 0) {
      jdbc.sql(
              "select idem_key, amount, debit_account_id, credit_account_id from ledger_command"
                  + " where job_id = ? and idem_key = any(?)")
          .params(run.job.id(), postedKeys)
          .query(
              rs -> {
                run.posted.put(
                    rs.getString(1),
                    new Posted(
                        rs.getBigDecimal(2).toBigIntegerExact(),
                        rs.getObject(3, UUID.class),
                        rs.getObject(4, UUID.class)));
              });
    }
  }

  private static boolean isPosted(@Nullable String state) {
    return "POSTED".equals(state) || "REVERSED".equals(state);
  }

  private static @Nullable Map<String, @Nullable Object> image(ChangeEvent e) {
    return e.op() == ChangeEvent.Op.DELETE ? e.before() : e.after();
  }

  private void user(Run run, ChangeEvent e) {
    Map<String, @Nullable Object> row = image(e);
    if (row == null) {
      return;
    }
    long id = number(row.get("id"));
    boolean deleted = e.op() == ChangeEvent.Op.DELETE || row.get("deleted_at") != null;
    if (row.get("created_at") == null) {
      // A hard DELETE without the full row (users has no full replica identity): only its key.
      run.users.put(id, new Imports.UserRow(id, null, null, null, deleted, true));
      return;
    }
    LocalDateTime local = LegacyTime.fromEpochMicros(number(row.get("created_at")));
    Instant created;
    try {
      created = LegacyTime.toUtc(local, run.job.legacyZone());
    } catch (Refusal gap) {
      // A creation time in a DST gap: the customer is imported all the same (no money hangs on
      // it), at the instant the gap ends, and the row is reported.
      fail(run, USERS, String.valueOf(id), gap);
      created = local.atZone(run.job.legacyZone()).toInstant();
    }
    Object email = row.get("email");
    Object name = row.get("full_name");
    run.users.put(
        id,
        new Imports.UserRow(
            id,
            email == null ? null : String.valueOf(email),
            name == null ? null : String.valueOf(name),
            created,
            deleted,
            false));
  }

  private void wallet(Run run, ChangeEvent e) {
    Map<String, @Nullable Object> row = image(e);
    if (row == null) {
      return;
    }
    long id = number(row.get("id"));
    String currency = String.valueOf(row.get("currency"));
    String balance = String.valueOf(row.get("balance"));
    boolean deleted = e.op() == ChangeEvent.Op.DELETE || number(row.get("deleted")) != 0;
    String asset = null;
    BigInteger minor = null;
    try {
      Asset a = Amounts.asset(currency);
      asset = a.code();
      if (!run.job.dryRun()) {
        openAccounts(run, id, a);
      }
      minor = Amounts.toMinor(new BigDecimal(balance), a);
    } catch (Refusal r) {
      fail(run, WALLETS, String.valueOf(id), r);
    }
    run.wallets.put(
        id,
        new WalletRow(
            id,
            row.get("user_id") == null ? null : number(row.get("user_id")),
            currency,
            asset,
            balance,
            minor,
            deleted,
            run.job.ids().walletAccount(id)));
    run.assets.put(id, Optional.of(asset != null ? asset : "?" + currency));
    if (run.snapshotDone) {
      run.walletsToImport.add(id);
    }
  }

  /**
   * The wallet's ledger account (and its asset's suspense and outside-world accounts) must be open
   * before a command naming it can reach the outbox: a wallet created while streaming is opened
   * here, in its own batch, before the transactions that use it.
   */
  private void openAccounts(Run run, long walletId, Asset asset) {
    LegacyIds ids = run.job.ids();
    AccountSpec wallet = AccountSpec.wallet(ids, walletId, asset);
    if (run.open.contains(wallet.id())) {
      return;
    }
    accounts.ensureOpen(AccountSpec.suspense(ids, asset), ACCOUNT_OPEN_RETRY_MAX);
    accounts.ensureOpen(AccountSpec.external(ids, asset), ACCOUNT_OPEN_RETRY_MAX);
    accounts.ensureOpen(wallet, ACCOUNT_OPEN_RETRY_MAX);
    run.open.add(wallet.id());
  }

  private static LegacyTransaction legacyTransaction(
      ChangeEvent e, Map<String, @Nullable Object> row) {
    Object counterparty = row.get("counterparty_wallet_id");
    return new LegacyTransaction(
        number(row.get("id")),
        number(row.get("wallet_id")),
        counterparty == null ? null : number(counterparty),
        String.valueOf(row.get("kind")),
        new BigDecimal(String.valueOf(row.get("amount"))),
        (int) number(row.get("status_code")),
        LegacyTime.fromEpochMicros(number(row.get("created_at"))),
        e.op() == ChangeEvent.Op.DELETE || number(row.get("deleted")) != 0);
  }

  private void transaction(Run run, ChangeEvent e, boolean snapshotDone) {
    Map<String, @Nullable Object> row = image(e);
    if (row == null) {
      return;
    }
    LegacyTransaction t = legacyTransaction(e, row);
    if (!snapshotDone) {
      // Only staged: mapped in key order once the snapshot is complete.
      run.rows.put(t.id(), new Image(t, true));
      return;
    }
    if (!run.stateOf.containsKey(t.id())) {
      learn(run, List.of(e), true); // not read with the batch (never, but cheap to be sure)
    }
    // The image replaces the row (its state stays until mapped), as the change before it left it.
    String previous = Objects.requireNonNull(run.stateOf.get(t.id()));
    run.fingerprint(t.id(), t.fingerprint());
    run.rows.put(t.id(), new Image(t, false));
    run.states.put(t.id(), previous);
    map(run, t, previous);
  }

  /** Decides what a legacy transaction, as it is now, means for the ledger. */
  private void map(Run run, LegacyTransaction t, String previous) {
    String pk = String.valueOf(t.id());
    switch (previous) {
      case DUPLICATE -> {
        return;
      }
      case "POSTED", "REVERSED" -> {
        checkPostedUnchanged(run, t, previous);
        return;
      }
      case STAGED -> {
        TreeSet<Long> same = run.nonDuplicates(t.fingerprint());
        Long original = same.isEmpty() || same.first() >= t.id() ? null : same.first();
        if (original != null) {
          fail(
              run,
              TRANSACTIONS,
              pk,
              new Refusal(
                  Refusal.DUPLICATE,
                  "exact duplicate of " + LegacyIds.key(TRANSACTIONS, original)));
          state(run, t.id(), DUPLICATE);
          return;
        }
      }
      default -> {
        // SKIPPED or REFUSED before: look again, the row may have changed.
      }
    }
    try {
      LegacyStatus status = TransactionMapper.status(t);
      if (t.deleted() || status != LegacyStatus.SUCCESS) {
        // Pending, failed, cancelled, reversed before posting, soft-deleted: no money moved
        // (yet). A later update to success maps it again.
        state(run, t.id(), "SKIPPED");
        return;
      }
      LedgerCommand command = run.mapper.command(t, run::asset);
      post(run, command, "TRANSACTION");
      state(run, t.id(), "POSTED");
    } catch (Refusal r) {
      fail(run, TRANSACTIONS, pk, r);
      state(run, t.id(), "REFUSED");
    }
  }

  /**
   * A posted row may still be reversed (then the transfer is undone under its own key); any other
   * change to it cannot be carried across and is reported.
   */
  private void checkPostedUnchanged(Run run, LegacyTransaction t, String previous) {
    String pk = String.valueOf(t.id());
    LegacyStatus status;
    try {
      status = TransactionMapper.status(t);
    } catch (Refusal r) {
      fail(run, TRANSACTIONS, pk, r);
      return;
    }
    if (t.deleted()) {
      fail(
          run,
          TRANSACTIONS,
          pk,
          new Refusal(Refusal.POSTED_ROW_CHANGED, "deleted after it was migrated"));
      return;
    }
    LedgerCommand now;
    try {
      now = run.mapper.command(t, run::asset);
    } catch (Refusal r) {
      fail(run, TRANSACTIONS, pk, r);
      return;
    }
    Posted posted = run.posted.get(now.idempotencyKey());
    if (posted == null) {
      throw new IllegalStateException(
          "legacy transaction " + t.id() + " is " + previous + " without its command");
    }
    if (!posted.amount().equals(now.amountMinor())
        || !posted.debit().equals(now.debitAccountId())
        || !posted.credit().equals(now.creditAccountId())) {
      fail(
          run,
          TRANSACTIONS,
          pk,
          new Refusal(
              Refusal.POSTED_ROW_CHANGED,
              "amount or wallets changed after it was migrated; the ledger keeps the first"));
      return;
    }
    if (status == LegacyStatus.REVERSED && previous.equals("POSTED")) {
      post(
          run,
          now.reversal(run.job.ids(), LegacyIds.reversalKey(TRANSACTIONS, t.id()), clock.instant()),
          "REVERSAL");
      state(run, t.id(), "REVERSED");
    }
  }

  /**
   * Maps the snapshot's unmapped rows in key order, each from the state it had (STAGED for a row
   * read for the first time), then books opening-balance differences.
   */
  private void completeSnapshot(Run run) {
    flush(run);
    // Keyset pages: the rows of the pages before were marked mapped in this same transaction, and
    // their old index entries are not dead to anyone yet, so "unmapped order by tx_id limit n"
    // alone would step over every mapped row again on each page (quadratic in the snapshot).
    long after = Long.MIN_VALUE;
    while (true) {
      run.forget();
      Map<Long, String> states = new HashMap<>();
      List<LegacyTransaction> staged =
          jdbc.sql(
                  """
                  select tx_id, wallet_id, counterparty_wallet_id, kind, amount, status_code,
                    created_local, deleted, state from legacy_tx
                  where job_id = ? and unmapped and tx_id > ?
                  order by tx_id limit ?""")
              .params(run.job.id(), after, STAGED_PAGE_ROWS_MAX)
              .query(
                  (rs, i) -> {
                    states.put(rs.getLong(1), rs.getString(9));
                    return new LegacyTransaction(
                        rs.getLong(1),
                        rs.getLong(2),
                        (Long) rs.getObject(3),
                        rs.getString(4),
                        new BigDecimal(rs.getString(5)),
                        rs.getInt(6),
                        rs.getObject(7, java.time.LocalDateTime.class),
                        rs.getBoolean(8));
                  })
              .list();
      if (staged.isEmpty()) {
        break;
      }
      after = staged.get(staged.size() - 1).id();
      for (LegacyTransaction t : staged) {
        run.stateOf.put(t.id(), states.get(t.id()));
        run.fingerprintOf.put(t.id(), t.fingerprint());
      }
      Set<Long> walletIds = new HashSet<>();
      for (LegacyTransaction t : staged) {
        walletIds.add(t.walletId());
        if (t.counterpartyWalletId() != null) {
          walletIds.add(t.counterpartyWalletId());
        }
      }
      learnAssets(run, walletIds);
      learnRows(run, staged);
      for (LegacyTransaction t : staged) {
        String previous = states.get(t.id());
        // Written even when unchanged: it marks the row mapped.
        run.states.put(t.id(), previous);
        map(run, t, previous);
      }
      flush(run);
    }
    run.forget();
    bookOpeningDifferences(run);
    flush(run);
    jdbc.sql(
            "update migration_job set snapshot_completed_at = ?, phase = case when phase ="
                + " 'SNAPSHOTTING' then 'STREAMING' else phase end where id = ?")
        .params(Timestamp.from(clock.instant()), run.job.id())
        .update();
    // Every user and wallet of the snapshot is known now: import the wallets, report orphans.
    run.snapshotDone = true;
    importWallets(run, true, List.of(), List.of());
    flush(run);
  }

  private void importWallets(Run run, boolean all, List<Long> walletIds, List<Long> userIds) {
    for (Imports.Orphan orphan : imports.wallets(run.job, all, walletIds, userIds)) {
      fail(run, WALLETS, String.valueOf(orphan.walletId()), orphan.refusal());
    }
  }

  private void bookOpeningDifferences(Run run) {
    record Opening(long walletId, String asset, BigInteger difference) {}
    List<Opening> openings =
        jdbc.sql(
                """
                select w.wallet_id, w.asset,
                  w.balance_minor - coalesce(c.credits, 0) + coalesce(d.debits, 0) as difference
                from legacy_wallet w
                left join (select credit_wallet_id as wallet_id, sum(amount) as credits
                           from ledger_command where job_id = ? group by credit_wallet_id) c
                  on c.wallet_id = w.wallet_id
                left join (select debit_wallet_id as wallet_id, sum(amount) as debits
                           from ledger_command where job_id = ? group by debit_wallet_id) d
                  on d.wallet_id = w.wallet_id
                where w.job_id = ? and w.asset is not null and w.balance_minor is not null""")
            .params(run.job.id(), run.job.id(), run.job.id())
            .query(
                (rs, i) ->
                    new Opening(
                        rs.getLong(1), rs.getString(2), rs.getBigDecimal(3).toBigIntegerExact()))
            .list();
    Instant now = clock.instant();
    for (Opening o : openings) {
      if (o.difference().signum() == 0) {
        continue;
      }
      Asset asset = Asset.find(o.asset()).orElseThrow();
      String key = LegacyIds.openingKey(o.walletId());
      UUID suspense = run.job.ids().suspenseAccount(asset);
      UUID wallet = run.job.ids().walletAccount(o.walletId());
      boolean credit = o.difference().signum() > 0;
      post(
          run,
          new LedgerCommand(
              key,
              run.job.ids().transferId(key),
              credit ? suspense : wallet,
              credit ? wallet : suspense,
              o.difference().abs(),
              asset,
              now,
              credit ? 0 : o.walletId(),
              credit ? o.walletId() : 0),
          "OPENING");
    }
  }

  /** A ledger command to record, with what kind of legacy change it carries. */
  /** A ledger command to record, with what kind of legacy change it carries. */
  private record Command(LedgerCommand command, String kind) {}

  private void post(Run run, LedgerCommand c, String kind) {
    run.commands.add(new Command(c, kind));
    run.posted.putIfAbsent(
        c.idempotencyKey(), new Posted(c.amountMinor(), c.debitAccountId(), c.creditAccountId()));
  }

  private void state(Run run, long txId, String state) {
    run.states.put(txId, state);
    run.stateOf.put(txId, state);
    String fingerprint = run.fingerprintOf.get(txId);
    if (state.equals(DUPLICATE) && fingerprint != null) {
      TreeSet<Long> same = run.nonDuplicates.get(fingerprint);
      if (same != null) {
        same.remove(txId);
      }
    }
  }

  private void fail(Run run, String table, String pk, Refusal r) {
    List<String> key = List.of(table, pk, r.code());
    // The latest detail of a refusal is kept, as an upsert per refusal did.
    run.failures.remove(key);
    run.failures.put(key, r);
  }

  /** Sends the batch's pending writes, one statement per table. */
  private void flush(Run run) {
    UUID job = run.job.id();
    List<Long> users = List.of();
    if (!run.users.isEmpty()) {
      // First: a customer's command goes on the outbox before its wallets'.
      users = imports.users(run.job, List.copyOf(run.users.values()));
      run.users.clear();
    }
    if (!run.wallets.isEmpty()) {
      writeWallets(job, List.copyOf(run.wallets.values()));
      run.wallets.clear();
    }
    if (run.snapshotDone && (!run.walletsToImport.isEmpty() || !users.isEmpty())) {
      // Streamed wallets, and the wallets of streamed users (an orphan whose user appeared).
      importWallets(run, false, List.copyOf(run.walletsToImport), users);
      run.walletsToImport.clear();
    }
    if (!run.rows.isEmpty()) {
      List<Image> images = List.copyOf(run.rows.values());
      List<String> states = new ArrayList<>(images.size());
      for (Image image : images) {
        String state = run.states.remove(image.row().id());
        states.add(image.staged() ? STAGED : Objects.requireNonNull(state));
      }
      writeRows(job, images, states);
      run.rows.clear();
    }
    if (!run.commands.isEmpty()) {
      record(run.job, List.copyOf(run.commands));
      run.commands.clear();
    }
    if (!run.states.isEmpty()) {
      jdbc.sql(
              """
              update legacy_tx t set state = s.state, unmapped = false
              from unnest(?::bigint[], ?::text[]) as s(tx_id, state)
              where t.job_id = ? and t.tx_id = s.tx_id""")
          .params(
              run.states.keySet().toArray(Long[]::new),
              run.states.values().toArray(String[]::new),
              job)
          .update();
      run.states.clear();
    }
    if (!run.failures.isEmpty()) {
      var failures = List.copyOf(run.failures.entrySet());
      jdbc.sql(
              """
              insert into migration_failure (job_id, source_table, source_pk, reason, detail, seen_at)
              select ?, f.source_table, f.source_pk, f.reason, f.detail, ?
              from unnest(?::text[], ?::text[], ?::text[], ?::text[])
                  as f(source_table, source_pk, reason, detail)
              on conflict (job_id, source_table, source_pk, reason) do update
                set detail = excluded.detail, seen_at = excluded.seen_at""")
          .params(
              job,
              Timestamp.from(clock.instant()),
              column(failures, f -> f.getKey().get(0), String[]::new),
              column(failures, f -> f.getKey().get(1), String[]::new),
              column(failures, f -> f.getKey().get(2), String[]::new),
              column(
                  failures,
                  f -> Objects.requireNonNullElse(f.getValue().getMessage(), ""),
                  String[]::new))
          .update();
      run.failures.clear();
    }
  }

  /** Upserts wallet rows (each id once) with one statement; the account id is set once. */
  private void writeWallets(UUID job, List<WalletRow> wallets) {
    jdbc.sql(
            """
            insert into legacy_wallet (job_id, wallet_id, user_id, currency, asset, balance,
              balance_minor, deleted, account_id)
            select ?, w.wallet_id, w.user_id, w.currency, w.asset, w.balance, w.balance_minor::numeric,
              w.deleted, w.account_id::uuid
            from unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[],
                ?::boolean[], ?::text[])
              as w(wallet_id, user_id, currency, asset, balance, balance_minor, deleted, account_id)
            on conflict (job_id, wallet_id) do update set user_id = excluded.user_id,
              currency = excluded.currency, asset = excluded.asset, balance = excluded.balance,
              balance_minor = excluded.balance_minor, deleted = excluded.deleted""")
        .params(
            job,
            column(wallets, WalletRow::id, Long[]::new),
            column(wallets, WalletRow::userId, Long[]::new),
            column(wallets, WalletRow::currency, String[]::new),
            column(wallets, WalletRow::asset, String[]::new),
            column(wallets, WalletRow::balance, String[]::new),
            column(
                wallets,
                w -> w.balanceMinor() == null ? null : w.balanceMinor().toString(),
                String[]::new),
            column(wallets, WalletRow::deleted, Boolean[]::new),
            column(wallets, w -> w.accountId().toString(), String[]::new))
        .update();
  }

  /**
   * Upserts legacy transaction rows (each id once) with one statement: a staged snapshot row keeps
   * the state it had (STAGED if new) and waits unmapped; a streamed row gets its mapped state.
   */
  private void writeRows(UUID job, List<Image> images, List<String> states) {
    List<LegacyTransaction> rows = images.stream().map(Image::row).toList();
    jdbc.sql(
            """
            insert into legacy_tx (job_id, tx_id, wallet_id, counterparty_wallet_id, kind, amount,
              status_code, created_local, deleted, fingerprint, state, unmapped)
            select ?, r.tx_id, r.wallet_id, r.counterparty, r.kind, r.amount, r.status_code,
              r.created_local, r.deleted, r.fingerprint, r.state, r.unmapped
            from unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::int[],
                ?::timestamp[], ?::boolean[], ?::text[], ?::text[], ?::boolean[])
              as r(tx_id, wallet_id, counterparty, kind, amount, status_code, created_local,
                deleted, fingerprint, state, unmapped)
            on conflict (job_id, tx_id) do update set wallet_id = excluded.wallet_id,
              counterparty_wallet_id = excluded.counterparty_wallet_id, kind = excluded.kind,
              amount = excluded.amount, status_code = excluded.status_code,
              created_local = excluded.created_local, deleted = excluded.deleted,
              fingerprint = excluded.fingerprint,
              state = case when excluded.unmapped then legacy_tx.state else excluded.state end,
              unmapped = excluded.unmapped""")
        .params(
            job,
            column(rows, LegacyTransaction::id, Long[]::new),
            column(rows, LegacyTransaction::walletId, Long[]::new),
            column(rows, LegacyTransaction::counterpartyWalletId, Long[]::new),
            column(rows, LegacyTransaction::kind, String[]::new),
            column(rows, t -> t.amount().toPlainString(), String[]::new),
            column(rows, LegacyTransaction::statusCode, Integer[]::new),
            column(rows, t -> t.createdAt().toString(), String[]::new),
            column(rows, LegacyTransaction::deleted, Boolean[]::new),
            column(rows, LegacyTransaction::fingerprint, String[]::new),
            states.toArray(String[]::new),
            column(images, Image::staged, Boolean[]::new))
        .update();
  }

  /**
   * Records commands with one statement, each idempotency key at most once, and puts the newly
   * recorded ones in the outbox as batched TransferRequested with one more, in order per key.
   */
  private void record(MigrationJob job, List<Command> commands) {
    List<LedgerCommand> cs = commands.stream().map(Command::command).toList();
    java.util.Set<String> recorded =
        new java.util.HashSet<>(
            jdbc.sql(
                    """
                    insert into ledger_command (job_id, idem_key, transfer_id, kind,
                      debit_account_id, credit_account_id, debit_wallet_id, credit_wallet_id,
                      amount, asset, occurred_at, created_at)
                    select ?, c.idem_key, c.transfer_id::uuid, c.kind, c.debit::uuid,
                      c.credit::uuid, c.debit_wallet, c.credit_wallet, c.amount::numeric,
                      c.asset, c.occurred::timestamptz, ?
                    from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                        ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[])
                        with ordinality
                      as c(idem_key, transfer_id, kind, debit, credit, debit_wallet,
                        credit_wallet, amount, asset, occurred, n)
                    order by c.n
                    on conflict do nothing
                    returning idem_key""")
                .params(
                    job.id(),
                    Timestamp.from(clock.instant()),
                    column(cs, LedgerCommand::idempotencyKey, String[]::new),
                    column(cs, c -> c.transferId().toString(), String[]::new),
                    column(commands, Command::kind, String[]::new),
                    column(cs, c -> c.debitAccountId().toString(), String[]::new),
                    column(cs, c -> c.creditAccountId().toString(), String[]::new),
                    column(cs, LedgerCommand::debitWalletId, Long[]::new),
                    column(cs, LedgerCommand::creditWalletId, Long[]::new),
                    column(cs, c -> c.amountMinor().toString(), String[]::new),
                    column(cs, c -> c.asset().code(), String[]::new),
                    column(cs, c -> c.occurredAt().toString(), String[]::new))
                .query(String.class)
                .list());
    if (job.dryRun() || recorded.isEmpty()) {
      return;
    }
    // One key per group of wallets, by debited wallet (CommandKeys): each wallet's debits reach the
    // ledger in legacy order, and the job's commands spread over the topic's partitions. A key's
    // commands go as batched records of at most TRANSFERS_MAX, in order, each one envelope, one
    // inbox row and one answer at the ledger instead of one per transfer.
    Map<String, List<TransferRequested>> byKey = new LinkedHashMap<>();
    for (Command command : commands) {
      LedgerCommand c = command.command();
      if (!recorded.remove(c.idempotencyKey())) {
        continue;
      }
      byKey
          .computeIfAbsent(CommandKeys.of(job.id(), c), k -> new ArrayList<>())
          .add(
              new TransferRequested(
                  c.transferId(),
                  c.debitAccountId(),
                  c.creditAccountId(),
                  c.amountMinor().toString(),
                  c.asset().code(),
                  c.idempotencyKey()));
    }
    List<Outbox.Message> requests = new ArrayList<>();
    byKey.forEach(
        (key, transfers) -> {
          for (int from = 0; from < transfers.size(); from += TransfersRequested.TRANSFERS_MAX) {
            List<TransferRequested> part =
                transfers.subList(
                    from, Math.min(transfers.size(), from + TransfersRequested.TRANSFERS_MAX));
            requests.add(
                new Outbox.Message(
                    Topics.LEDGER_TRANSFERS_REQUESTED, key, new TransfersRequested(part)));
          }
        });
    outbox.addAll(requests);
  }

  /** One column of a multi-row statement: a value of each row, as an array for unnest. */
  private static <R, T> T[] column(
      List<R> rows, Function<R, @Nullable T> value, IntFunction<T[]> array) {
    T[] out = array.apply(rows.size());
    for (int i = 0; i < out.length; i++) {
      out[i] = value.apply(rows.get(i));
    }
    return out;
  }

  private static long number(@Nullable Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value instanceof String s) {
      return Long.parseLong(s);
    }
    throw new IllegalArgumentException("expected a number, got " + value);
  }
}
