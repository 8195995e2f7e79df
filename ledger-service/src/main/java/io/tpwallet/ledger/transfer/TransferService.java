package io.tpwallet.ledger.transfer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.outbox.Outbox;
import io.tpwallet.ledger.account.Account;
import io.tpwallet.ledger.account.Accounts;
import io.tpwallet.ledger.account.Accounts.Totals;
import io.tpwallet.ledger.chain.ChainedEntry;
import io.tpwallet.ledger.chain.ChainedTransfer;
import io.tpwallet.ledger.chain.LedgerChain;
import io.tpwallet.ledger.jdbc.Pipeline;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies batches of transfers, holds and hold resolutions: the one place balances change, used
 * alike by the REST API, the Kafka command consumers and the expiry job. A single transfer is a
 * batch of one.
 *
 * <p>A batch runs in one transaction: read the holds it names, lock all its accounts in id order
 * and read what is already stored under its ids (one round trip), apply every event in memory
 * (linked chains all or nothing), then write the events, and in one more round trip the new
 * transfers with their entries, each changed account's totals once and last the batch's link in the
 * hash chain; then commit.
 */
@Service
public class TransferService implements DisposableBean {

  /** The most events one batch may carry (TigerBeetle's batch size). */
  public static final int BATCH_TRANSFERS_MAX = 8189;

  /** The most entries one statement page returns. */
  public static final int ENTRIES_PAGE_SIZE_MAX = 200;

  /**
   * The most events whose reads go in one round trip: a group's results stay far below a socket's
   * buffer (a locked account is ~250 bytes).
   */
  static final int PIPELINED_EVENTS_MAX = 128;

  /** How often a batch that lost a race on an id is tried again before the error surfaces. */
  static final int ATTEMPTS_MAX = 3;

  private final Accounts accounts;
  private final Transfers transfers;
  private final LedgerEvents events;
  private final LedgerChain chain;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Timer batchTimer;
  private final Map<TransferResult, Counter> results = new EnumMap<>(TransferResult.class);
  private final GroupCommit group;
  private final MonthPartitions partitions;
  private final JdbcOperations jdbc;

  TransferService(
      Accounts accounts,
      Transfers transfers,
      LedgerEvents events,
      LedgerChain chain,
      MonthPartitions partitions,
      PlatformTransactionManager transactions,
      JdbcOperations jdbc,
      Clock clock,
      MeterRegistry meters,
      @Value("${tpw.ledger.group-events-max:1024}") int groupEventsMax,
      @Value("${tpw.ledger.group-commit-workers:1}") int groupCommitWorkers) {
    this.accounts = accounts;
    this.transfers = transfers;
    this.events = events;
    this.chain = chain;
    this.partitions = partitions;
    this.jdbc = jdbc;
    this.tx = new TransactionTemplate(transactions);
    this.clock = clock;
    this.batchTimer =
        Timer.builder("tpw.ledger.posting")
            .description("Time to decide and write one batch, inside its transaction")
            .register(meters);
    for (TransferResult result : TransferResult.values()) {
      results.put(
          result,
          Counter.builder("tpw.ledger.transfers")
              .description("Events asked of the ledger, by result (counted when committed)")
              .tag("result", result.name())
              .register(meters));
    }
    this.group =
        new GroupCommit(
            this::execute, Math.min(groupEventsMax, BATCH_TRANSFERS_MAX), groupCommitWorkers);
  }

  /** Posts (or holds) one transfer at most once per id. */
  public Posting post(TransferCommand command) {
    return single(command);
  }

  /** Posts, voids or expires one hold. */
  public Posting resolve(ResolveCommand command) {
    return single(command);
  }

  /**
   * One event on its own: inside a caller's transaction (a Kafka consumer's) it is applied there;
   * otherwise it joins the next group commit with whatever else is arriving concurrently.
   */
  private Posting single(LedgerCommand command) {
    if (command.linked() || TransactionSynchronizationManager.isActualTransactionActive()) {
      return execute(List.of(command)).get(0);
    }
    return group.submit(command);
  }

  /** Stops taking single events; those still queued are refused as unavailable. */
  @Override
  public void destroy() {
    group.close();
  }

  /**
   * Applies a batch of up to {@link #BATCH_TRANSFERS_MAX} events and answers one result per event,
   * in order. A refusal is an answer, not an exception: nothing of that event (or of its linked
   * chain) is written, and the rest of the batch, and the caller's transaction (the Kafka
   * consumer's, with its inbox row and answer), still commit.
   *
   * <p>Outside a transaction, a batch that lost a race on an id (a concurrent request with the same
   * id committed after this one looked) is tried again, and then replays it. Inside the caller's
   * transaction the error propagates and the caller's retry (Kafka redelivery) does the same.
   */
  public List<Posting> execute(List<? extends LedgerCommand> commands) {
    if (commands.isEmpty() || commands.size() > BATCH_TRANSFERS_MAX) {
      throw new IllegalArgumentException(
          "a batch has 1.." + BATCH_TRANSFERS_MAX + " events, not " + commands.size());
    }
    if (TransactionSynchronizationManager.isActualTransactionActive()) {
      return timed(commands);
    }
    for (int attempt = 1; ; attempt++) {
      try {
        List<Posting> done = tx.execute(status -> timed(commands));
        if (done == null) {
          throw new IllegalStateException("the batch transaction returned nothing");
        }
        return done;
      } catch (RaceLost | DuplicateKeyException e) {
        if (attempt >= ATTEMPTS_MAX) {
          throw e;
        }
      }
    }
  }

  private List<Posting> timed(List<? extends LedgerCommand> commands) {
    Timer.Sample sample = Timer.start();
    try {
      List<Posting> postings = apply(commands);
      Map<TransferResult, Integer> counts = new EnumMap<>(TransferResult.class);
      for (Posting p : postings) {
        counts.merge(p.result(), 1, Integer::sum);
      }
      count(counts);
      return postings;
    } finally {
      sample.stop(batchTimer);
    }
  }

  private List<Posting> apply(List<? extends LedgerCommand> commands) {
    // Microseconds: what PostgreSQL stores, so that a replay shows the very same createdAt.
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Set<UUID> ids = new LinkedHashSet<>();
    Set<UUID> pendingIds = new LinkedHashSet<>();
    Set<UUID> accountIds = new LinkedHashSet<>();
    Set<UUID> originalIds = new LinkedHashSet<>();
    boolean imports = false;
    Set<YearMonth> months = new HashSet<>(2);
    months.add(MonthPartitions.monthOf(now));
    for (LedgerCommand c : commands) {
      ids.add(c.id());
      if (c instanceof TransferCommand t) {
        accountIds.add(t.debitAccountId());
        accountIds.add(t.creditAccountId());
        imports |= t.importedAt() != null;
        if (t.importedAt() != null) {
          months.add(MonthPartitions.monthOf(t.importedAt()));
        }
      } else if (c instanceof ResolveCommand r) {
        pendingIds.add(r.pendingId());
      } else if (c instanceof ReverseCommand r) {
        originalIds.add(r.originalId());
      }
    }
    // An import into an archived month is refused per event (IMPORTED_INTO_ARCHIVED_MONTH) rather
    // than failing the batch; the other months' partitions are made before any lock, since
    // creating them locks the parent tables.
    Set<YearMonth> archivedMonths = partitions.archived(months);
    months.removeAll(archivedMonths);
    partitions.ensure(months);
    // Holds and reversed transfers never change once written, so they can be read before the
    // locks; how holds were resolved and how much of a transfer was reversed can, and are read
    // after.
    Map<UUID, Transfer> holds = transfers.findAll(pendingIds);
    Map<UUID, Transfer> originals = transfers.findAll(originalIds);
    for (Transfer t : concat(holds.values(), originals.values())) {
      accountIds.add(t.debitAccountId());
      accountIds.add(t.creditAccountId());
    }
    // The locks and every read that must follow them, in one round trip: each statement of a
    // pipeline starts after the one before it has finished, so these see what the locks waited for.
    // A large batch (thousands of locked rows) sends them one by one (see Pipeline).
    Pipeline reads =
        commands.size() <= PIPELINED_EVENTS_MAX ? new Pipeline(jdbc) : Pipeline.oneByOne(jdbc);
    Map<UUID, Account> locked = new HashMap<>();
    accounts.lockInIdOrder(accountIds, reads, a -> locked.put(a.id(), a));
    Set<UUID> archivedIds = new HashSet<>();
    Map<UUID, Transfer> stored = transfers.findAll(ids, archivedIds, reads);
    Map<UUID, TransferKind> resolutions = transfers.resolutions(pendingIds, reads);
    Map<UUID, BigInteger> reversed = transfers.reversedAmounts(originalIds, reads);
    // Of every account named, known before the locks (one that does not exist has no imports).
    Map<UUID, Instant> lastImports = imports ? transfers.lastImports(accountIds, reads) : Map.of();
    reads.run();

    Batch batch =
        new Batch(locked, stored, holds, resolutions, now)
            .withReversals(originals, reversed)
            .withImports(lastImports)
            .withArchived(archivedIds, archivedMonths);
    List<Posting> postings = batch.applyAll(commands);
    write(batch, now);
    return postings;
  }

  private void write(Batch batch, Instant now) {
    List<Transfer> created = batch.created();
    if (created.isEmpty()) {
      return;
    }
    List<Totals> changed = batch.changedTotals();
    List<Outbox.Message> balances = new ArrayList<>(changed.size());
    for (Totals t : changed) {
      Account account = batch.account(t.id());
      if (account != null) {
        balances.add(LedgerEvents.balanceChanged(account, t, now));
      }
    }
    // The events first: they are known once the batch is decided, and written before the chain
    // lock is taken, which the rest of the writes end with (held until the commit).
    events.batchWritten(created, balances);
    // A batch id made here, not the caller's: the link names the rows this transaction wrote.
    UUID batchId = Ids.newId();
    List<Transfer> posting = new ArrayList<>();
    List<Transfer> timed = new ArrayList<>();
    List<UUID> resolved = new ArrayList<>();
    for (Transfer t : created) {
      if (t.kind().posts()) {
        posting.add(t);
      }
      if (t.timeoutAt() != null) {
        timed.add(t);
      }
      if (t.pendingId() != null) {
        resolved.add(t.pendingId());
      }
    }
    // Every write of the batch and its link in one round trip: the transfers and the entries of
    // those that post in one statement (double entry is checked when it ends), the timeouts, the
    // totals, then the link (LedgerChain). A transfer whose id a concurrent transaction took is
    // found when the pipeline has run; the batch then rolls back and is tried again.
    Pipeline writes = new Pipeline(jdbc);
    boolean[] all = {false};
    transfers.insertAll(created, batchId, writes, inserted -> all[0] = inserted);
    transfers.insertTimeouts(timed, writes);
    transfers.deleteTimeouts(resolved, writes);
    accounts.writeTotals(changed, writes);
    chain.append(batchId, now, chained(created), chainedEntries(posting), writes);
    writes.run();
    if (!all[0]) {
      throw new RaceLost();
    }
  }

  private static List<ChainedTransfer> chained(List<Transfer> created) {
    List<ChainedTransfer> rows = new ArrayList<>(created.size());
    for (Transfer t : created) {
      rows.add(
          new ChainedTransfer(
              t.id(),
              t.kind().name(),
              t.debitAccountId(),
              t.creditAccountId(),
              t.amount(),
              t.asset(),
              t.reference(),
              t.pendingId(),
              t.reversesId(),
              t.legacyRef(),
              t.timeoutAt(),
              t.createdAt(),
              t.metadata()));
    }
    return rows;
  }

  /** The entries {@link Transfers#insertAll} wrote for the batch's posting transfers. */
  private static List<ChainedEntry> chainedEntries(List<Transfer> posting) {
    List<ChainedEntry> rows = new ArrayList<>(posting.size() * 2);
    for (Transfer t : posting) {
      rows.add(new ChainedEntry(t.id(), 'D', t.debitAccountId(), t.amount(), t.createdAt()));
      rows.add(new ChainedEntry(t.id(), 'C', t.creditAccountId(), t.amount(), t.createdAt()));
    }
    return rows;
  }

  private static List<Transfer> concat(
      java.util.Collection<Transfer> a, java.util.Collection<Transfer> b) {
    List<Transfer> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Reverses a posted transfer, all that is left of it or part. */
  public Posting reverse(ReverseCommand command) {
    return single(command);
  }

  public Optional<Transfer> find(UUID id) {
    return transfers.find(id);
  }

  /** The month of transfer {@code id} when that month is archived (its row is in the archive). */
  public Optional<YearMonth> archivedMonthOf(UUID id) {
    return transfers.archivedMonthOf(id);
  }

  /**
   * A transfer's status: a hold is PENDING until resolved, then POSTED, VOIDED or EXPIRED; a
   * transfer that posts is POSTED; a void VOIDED; an expiry EXPIRED.
   */
  public String status(Transfer t) {
    return switch (t.kind()) {
      case SINGLE, POST -> "POSTED";
      case VOID -> "VOIDED";
      case EXPIRE -> "EXPIRED";
      case PENDING -> {
        TransferKind by = transfers.resolutions(List.of(t.id())).get(t.id());
        yield by == null
            ? "PENDING"
            : switch (by) {
              case POST -> "POSTED";
              case VOID -> "VOIDED";
              default -> "EXPIRED";
            };
      }
    };
  }

  /** Open holds past their timeout, at most {@code limit}, for the expiry job. */
  List<UUID> dueHolds(int limit) {
    return transfers.dueHolds(clock.instant(), limit);
  }

  /** An account's entries, newest first; {@code limit} is clamped to 1..ENTRIES_PAGE_SIZE_MAX. */
  public List<Entry> entries(UUID accountId, int limit, @Nullable Long beforeId) {
    int bounded = Math.max(1, Math.min(limit, ENTRIES_PAGE_SIZE_MAX));
    return transfers.entries(accountId, bounded, beforeId);
  }

  /** Counts the result once the transaction commits, so that a rolled-back retry counts once. */
  private void count(Map<TransferResult, Integer> counts) {
    Runnable increment = () -> counts.forEach((result, n) -> results.get(result).increment(n));
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              increment.run();
            }
          });
    } else {
      increment.run();
    }
  }

  /** A concurrent transaction committed a transfer with one of the batch's ids first. */
  static final class RaceLost extends RuntimeException {
    RaceLost() {
      super("a transfer id of the batch was taken concurrently", null, false, false);
    }
  }
}
