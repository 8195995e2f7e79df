package io.tpwallet.migration.job;

import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferRequested;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * <p>Snapshot rows of transactions are only staged; when the snapshot is complete they are mapped
 * in primary-key order (so that every wallet is known and orphans are real orphans), then each
 * wallet's stored balance is compared with its migrated history and the difference is posted
 * against the suspense account. Streamed changes are mapped as they come.
 */
@Component
class ChangeApplier {

  static final String WALLETS = "wallets";
  static final String TRANSACTIONS = TransactionMapper.TABLE;
  private static final int STAGED_PAGE_ROWS_MAX = 1_000;

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;

  /**
   * How long a batch waits for an unreachable ledger to open the account of a wallet it has not
   * seen before; then the batch fails unapplied and the job waits for the ledger.
   */
  static final Duration ACCOUNT_OPEN_RETRY_MAX = Duration.ofSeconds(10);

  private final Outbox outbox;
  private final LedgerAccounts accounts;
  private final Clock clock;

  ChangeApplier(
      JdbcClient jdbc,
      PlatformTransactionManager transactions,
      Outbox outbox,
      LedgerAccounts accounts,
      Clock clock) {
    this.jdbc = jdbc;
    this.tx = new TransactionTemplate(transactions);
    this.outbox = outbox;
    this.accounts = accounts;
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
    long snapshotted = 0;
    long streamed = 0;
    long lastSourceMs = -1;
    for (ChangeEvent e : batch) {
      if (!done && !e.fromSnapshot()) {
        completeSnapshot(run);
        done = true;
      }
      if (e.kind() == ChangeEvent.Kind.HEARTBEAT) {
        continue;
      }
      String table = Objects.requireNonNullElse(e.table(), "");
      switch (table) {
        case WALLETS -> wallet(run, e);
        case TRANSACTIONS -> transaction(run, e, done);
        default -> {
          // users: counted, not migrated (account-service owns customers; see docs).
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

  /**
   * Per-batch state: the job, its mapper, the wallets' assets looked up so far, and the writes not
   * sent yet. Writes are sent by {@link #flush}, one statement per table, before anything reads
   * what they change: a snapshot of 1M rows costs a few thousand statements instead of millions.
   */
  private final class Run {
    final MigrationJob job;
    final TransactionMapper mapper;
    final Map<Long, Optional<String>> assets = new HashMap<>();

    /** Snapshot rows of transactions to stage, by id; a later image of a row replaces it. */
    final Map<Long, LegacyTransaction> staging = new LinkedHashMap<>();

    /** Commands to record (and announce, unless recorded before), in order. */
    final List<Command> commands = new ArrayList<>();

    final Map<Long, String> states = new LinkedHashMap<>();
    final Map<List<String>, Refusal> failures = new LinkedHashMap<>();

    /** The first row of each fingerprint that is no duplicate, for the page being mapped. */
    Map<String, Long> firstOfFingerprint = Map.of();

    Run(MigrationJob job) {
      this.job = job;
      this.mapper = new TransactionMapper(job.legacyZone(), job.ids());
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
  }

  private void wallet(Run run, ChangeEvent e) {
    Map<String, @Nullable Object> row = e.op() == ChangeEvent.Op.DELETE ? e.before() : e.after();
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
        openAccounts(run.job.ids(), id, a);
      }
      minor = Amounts.toMinor(new BigDecimal(balance), a);
    } catch (Refusal r) {
      fail(run, WALLETS, String.valueOf(id), r);
    }
    jdbc.sql(
            """
            insert into legacy_wallet (job_id, wallet_id, user_id, currency, asset, balance,
              balance_minor, deleted, account_id)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (job_id, wallet_id) do update set user_id = excluded.user_id,
              currency = excluded.currency, asset = excluded.asset, balance = excluded.balance,
              balance_minor = excluded.balance_minor, deleted = excluded.deleted""")
        .params(
            run.job.id(),
            id,
            row.get("user_id") == null ? null : number(row.get("user_id")),
            currency,
            asset,
            balance,
            minor,
            deleted,
            run.job.ids().walletAccount(id))
        .update();
    run.assets.remove(id);
  }

  /**
   * The wallet's ledger account (and its asset's suspense and outside-world accounts) must be open
   * before a command naming it can reach the outbox: a wallet created while streaming is opened
   * here, in its own batch, before the transactions that use it.
   */
  private void openAccounts(LegacyIds ids, long walletId, Asset asset) {
    AccountSpec wallet = AccountSpec.wallet(ids, walletId, asset);
    if (accounts.isOpen(wallet)) {
      return;
    }
    accounts.ensureOpen(AccountSpec.suspense(ids, asset), ACCOUNT_OPEN_RETRY_MAX);
    accounts.ensureOpen(AccountSpec.external(ids, asset), ACCOUNT_OPEN_RETRY_MAX);
    accounts.ensureOpen(wallet, ACCOUNT_OPEN_RETRY_MAX);
  }

  private void transaction(Run run, ChangeEvent e, boolean snapshotDone) {
    Map<String, @Nullable Object> row = e.op() == ChangeEvent.Op.DELETE ? e.before() : e.after();
    if (row == null) {
      return;
    }
    Object counterparty = row.get("counterparty_wallet_id");
    var t =
        new LegacyTransaction(
            number(row.get("id")),
            number(row.get("wallet_id")),
            counterparty == null ? null : number(counterparty),
            String.valueOf(row.get("kind")),
            new BigDecimal(String.valueOf(row.get("amount"))),
            (int) number(row.get("status_code")),
            LegacyTime.fromEpochMicros(number(row.get("created_at"))),
            e.op() == ChangeEvent.Op.DELETE || number(row.get("deleted")) != 0);
    if (!snapshotDone) {
      // Only staged: mapped in key order once the snapshot is complete.
      run.staging.put(t.id(), t);
      return;
    }
    // A streamed change reads what the batch wrote before it.
    flush(run);
    String previous =
        jdbc.sql("select state from legacy_tx where job_id = ? and tx_id = ?")
            .params(run.job.id(), t.id())
            .query(String.class)
            .optional()
            .orElse(null);
    stage(run.job.id(), List.of(t));
    map(run, t, previous == null ? "STAGED" : previous);
  }

  /** Decides what a legacy transaction, as it is now, means for the ledger. */
  private void map(Run run, LegacyTransaction t, String previous) {
    String pk = String.valueOf(t.id());
    switch (previous) {
      case "DUPLICATE" -> {
        return;
      }
      case "POSTED", "REVERSED" -> {
        checkPostedUnchanged(run, t, previous);
        return;
      }
      case "STAGED" -> {
        Long first = run.firstOfFingerprint.get(t.fingerprint());
        Long original =
            first != null
                ? (first < t.id() ? first : null)
                : jdbc.sql(
                        """
                    select min(tx_id) from legacy_tx where job_id = ? and fingerprint = ?
                      and tx_id < ? and state <> 'DUPLICATE'""")
                    .params(run.job.id(), t.fingerprint(), t.id())
                    .query(Long.class)
                    .optional()
                    .orElse(null);
        if (original != null) {
          fail(
              run,
              TRANSACTIONS,
              pk,
              new Refusal(
                  Refusal.DUPLICATE,
                  "exact duplicate of " + LegacyIds.key(TRANSACTIONS, original)));
          state(run, t.id(), "DUPLICATE");
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
    var posted =
        jdbc.sql(
                "select amount, debit_account_id, credit_account_id from ledger_command"
                    + " where job_id = ? and idem_key = ?")
            .params(run.job.id(), now.idempotencyKey())
            .query(
                (rs, i) ->
                    rs.getBigDecimal(1).toBigIntegerExact().equals(now.amountMinor())
                        && rs.getObject(2, UUID.class).equals(now.debitAccountId())
                        && rs.getObject(3, UUID.class).equals(now.creditAccountId()))
            .single();
    if (!posted) {
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

  /** Maps the staged snapshot in key order, then books opening-balance differences. */
  private void completeSnapshot(Run run) {
    flush(run);
    while (true) {
      List<LegacyTransaction> staged =
          jdbc.sql(
                  """
                  select tx_id, wallet_id, counterparty_wallet_id, kind, amount, status_code,
                    created_local, deleted from legacy_tx where job_id = ? and state = 'STAGED'
                  order by tx_id limit ?""")
              .params(run.job.id(), STAGED_PAGE_ROWS_MAX)
              .query(
                  (rs, i) ->
                      new LegacyTransaction(
                          rs.getLong(1),
                          rs.getLong(2),
                          (Long) rs.getObject(3),
                          rs.getString(4),
                          new BigDecimal(rs.getString(5)),
                          rs.getInt(6),
                          rs.getObject(7, java.time.LocalDateTime.class),
                          rs.getBoolean(8)))
              .list();
      if (staged.isEmpty()) {
        break;
      }
      // The first non-duplicate row of a fingerprint stays so while the page is mapped (only
      // later rows become duplicates), so one query answers every row's duplicate lookup.
      Map<String, Long> firsts = new HashMap<>();
      jdbc.sql(
              """
              select fingerprint, min(tx_id) from legacy_tx
              where job_id = ? and fingerprint = any(?) and state <> 'DUPLICATE'
              group by fingerprint""")
          .params(
              run.job.id(),
              staged.stream().map(LegacyTransaction::fingerprint).distinct().toArray(String[]::new))
          .query(
              rs -> {
                firsts.put(rs.getString(1), rs.getLong(2));
              });
      run.firstOfFingerprint = firsts;
      for (LegacyTransaction t : staged) {
        map(run, t, "STAGED");
      }
      run.firstOfFingerprint = Map.of();
      flush(run);
    }
    bookOpeningDifferences(run);
    flush(run);
    jdbc.sql(
            "update migration_job set snapshot_completed_at = ?, phase = case when phase ="
                + " 'SNAPSHOTTING' then 'STREAMING' else phase end where id = ?")
        .params(Timestamp.from(clock.instant()), run.job.id())
        .update();
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
  private record Command(LedgerCommand command, String kind) {}

  private void post(Run run, LedgerCommand c, String kind) {
    run.commands.add(new Command(c, kind));
  }

  private void state(Run run, long txId, String state) {
    run.states.put(txId, state);
  }

  private void fail(Run run, String table, String pk, Refusal r) {
    List<String> key = List.of(table, pk, r.code());
    // The latest detail of a refusal is kept, as an upsert per refusal did.
    run.failures.remove(key);
    run.failures.put(key, r);
  }

  /** Sends the batch's pending writes, one statement per table, in the order they were made. */
  private void flush(Run run) {
    UUID job = run.job.id();
    if (!run.staging.isEmpty()) {
      stage(job, List.copyOf(run.staging.values()));
      run.staging.clear();
    }
    if (!run.commands.isEmpty()) {
      record(run.job, List.copyOf(run.commands));
      run.commands.clear();
    }
    if (!run.states.isEmpty()) {
      jdbc.sql(
              """
              update legacy_tx t set state = s.state
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

  /** Stages snapshot rows of transactions (each id once) with one statement. */
  private void stage(UUID job, List<LegacyTransaction> rows) {
    jdbc.sql(
            """
            insert into legacy_tx (job_id, tx_id, wallet_id, counterparty_wallet_id, kind, amount,
              status_code, created_local, deleted, fingerprint, state)
            select ?, r.tx_id, r.wallet_id, r.counterparty, r.kind, r.amount, r.status_code,
              r.created_local, r.deleted, r.fingerprint, 'STAGED'
            from unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::int[],
                ?::timestamp[], ?::boolean[], ?::text[])
              as r(tx_id, wallet_id, counterparty, kind, amount, status_code, created_local,
                deleted, fingerprint)
            on conflict (job_id, tx_id) do update set wallet_id = excluded.wallet_id,
              counterparty_wallet_id = excluded.counterparty_wallet_id, kind = excluded.kind,
              amount = excluded.amount, status_code = excluded.status_code,
              created_local = excluded.created_local, deleted = excluded.deleted,
              fingerprint = excluded.fingerprint""")
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
            column(rows, LegacyTransaction::fingerprint, String[]::new))
        .update();
  }

  /**
   * Records commands with one statement, each idempotency key at most once, and puts the
   * TransferRequested of each newly recorded one in the outbox with one more, in order.
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
    List<Outbox.Message> requests = new ArrayList<>(recorded.size());
    for (Command command : commands) {
      LedgerCommand c = command.command();
      if (!recorded.remove(c.idempotencyKey())) {
        continue;
      }
      // One aggregate per job: the ledger receives the job's transfers in the order the legacy
      // wallet committed them, so a withdrawal never overtakes the deposit that funds it.
      requests.add(
          new Outbox.Message(
              Topics.LEDGER_TRANSFER_REQUESTED,
              "legacy-migration:" + job.id(),
              new TransferRequested(
                  c.transferId(),
                  c.debitAccountId(),
                  c.creditAccountId(),
                  c.amountMinor().toString(),
                  c.asset().code(),
                  c.idempotencyKey())));
    }
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
