package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.id.Ids;
import io.tpwallet.common.money.Asset;
import io.tpwallet.ledger.account.Account;
import io.tpwallet.ledger.account.AccountFlag;
import io.tpwallet.ledger.account.Accounts;
import io.tpwallet.ledger.chain.LedgerChain;
import io.tpwallet.ledger.transfer.LedgerCommand;
import io.tpwallet.ledger.transfer.Posting;
import io.tpwallet.ledger.transfer.ResolveCommand;
import io.tpwallet.ledger.transfer.ReverseCommand;
import io.tpwallet.ledger.transfer.TransferCommand;
import io.tpwallet.ledger.transfer.TransferResult;
import io.tpwallet.ledger.transfer.TransferService;
import io.tpwallet.testkit.Infrastructure;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A seeded loop of random batches (with linked chains) of transfers, holds, posts, voids, reversals
 * and replays against a plain in-memory model of the ledger: every result code and, at the end,
 * every account's four totals must agree, and the chain must verify. The seed is printed with any
 * failure; rerun one with {@code -Dledger.model.seed=<seed>}.
 */
@SpringBootTest
class OperationModelIT {

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "ledgermodel");
  }

  static final int OPERATIONS = 400;
  static final int BATCH_EVENTS_MAX = 6;

  @Autowired Accounts accounts;
  @Autowired TransferService transfers;
  @Autowired LedgerChain chain;

  /** One account of the model: its flag and four totals. */
  static final class M {
    final boolean wallet;
    long dp;
    long cp;
    long dpend;
    long cpend;

    M(boolean wallet) {
      this.wallet = wallet;
    }
  }

  /** A stored transfer of the model. */
  record T(UUID debit, UUID credit, long amount, String kind, @Nullable UUID reverses) {}

  private final Map<UUID, M> model = new LinkedHashMap<>();
  private final Map<UUID, T> stored = new HashMap<>();
  private final Map<UUID, LedgerCommand> applied = new HashMap<>();
  private final Map<UUID, String> resolvedBy = new HashMap<>();
  private final Map<UUID, Long> reversed = new HashMap<>();

  @Test
  void randomOperationSequencesGiveTheModelsResultsAndBalances() {
    long seed = Long.getLong("ledger.model.seed", System.nanoTime());
    Random random = new Random(seed);
    List<UUID> ids = new ArrayList<>();
    ids.add(open(false));
    for (int i = 0; i < 4; i++) {
      ids.add(open(true));
    }
    List<UUID> known = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    int done = 0;
    while (done < OPERATIONS) {
      int size = 1 + random.nextInt(BATCH_EVENTS_MAX);
      List<LedgerCommand> batch = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        batch.add(next(random, ids, known));
      }
      List<Posting> got = transfers.execute(batch);
      List<TransferResult> expected = applyBatch(batch);
      for (int i = 0; i < size; i++) {
        LedgerCommand c = batch.get(i);
        assertThat(got.get(i).result())
            .as("seed %d, operation %d: %s", seed, done + i, c)
            .isEqualTo(expected.get(i));
        seen.merge(c.getClass().getSimpleName() + ":" + expected.get(i), 1, Integer::sum);
        known.add(c.id());
      }
      done += size;
    }
    for (var e : model.entrySet()) {
      Account a = accounts.find(e.getKey()).orElseThrow();
      M m = e.getValue();
      assertThat(
              List.of(
                  a.debitsPosted().longValueExact(),
                  a.creditsPosted().longValueExact(),
                  a.debitsPending().longValueExact(),
                  a.creditsPending().longValueExact()))
          .as("seed %d, account %s", seed, e.getKey())
          .containsExactly(m.dp, m.cp, m.dpend, m.cpend);
    }
    assertThat(chain.verify().ok()).as("seed %d", seed).isTrue();
    // The generator is not degenerate: every kind of event both applied and was refused.
    System.out.println("OperationModelIT seed " + seed + ": " + seen);
    assertThat(seen)
        .as("seed %d", seed)
        .containsKeys(
            "TransferCommand:OK",
            "TransferCommand:INSUFFICIENT_FUNDS",
            "ResolveCommand:OK",
            "ResolveCommand:PENDING_TRANSFER_NOT_FOUND",
            "ReverseCommand:OK",
            "ReverseCommand:REVERSED_TRANSFER_NOT_FOUND",
            "TransferCommand:LINKED_EVENT_FAILED");
  }

  private LedgerCommand next(Random random, List<UUID> accountIds, List<UUID> known) {
    int kind = random.nextInt(100);
    if (kind < 8 && !applied.isEmpty()) {
      // A replay of an applied event: same id, same fields.
      List<LedgerCommand> all = new ArrayList<>(applied.values());
      return all.get(random.nextInt(all.size()));
    }
    UUID id = Ids.newId();
    UUID debit = accountIds.get(random.nextInt(accountIds.size()));
    UUID credit = accountIds.get(random.nextInt(accountIds.size()));
    if (random.nextInt(4) == 0) {
      debit = accountIds.get(0); // fund from the issuance account now and then
    }
    long amount = random.nextInt(30) == 0 ? 0 : 1 + random.nextInt(200);
    UUID some = pick(random, known, kind < 85 ? "PENDING" : null);
    boolean linked = random.nextInt(4) == 0;
    if (kind < 40) {
      return new TransferCommand(id, debit, credit, BigInteger.valueOf(amount), "USD", "m")
          .withLinked(linked);
    }
    if (kind < 60) {
      return TransferCommand.hold(id, debit, credit, BigInteger.valueOf(amount), "USD", "m", 0)
          .withLinked(linked);
    }
    if (kind < 75) {
      BigInteger part = random.nextBoolean() ? null : BigInteger.valueOf(1 + random.nextInt(220));
      return ResolveCommand.post(id, some, part, "m").withLinked(linked);
    }
    if (kind < 85) {
      return ResolveCommand.voiding(id, some, "m").withLinked(linked);
    }
    BigInteger part = random.nextBoolean() ? null : BigInteger.valueOf(1 + random.nextInt(120));
    return ReverseCommand.of(id, some, part, "m").withLinked(linked);
  }

  /**
   * An id for a post, void or reversal to name: mostly a stored hold (for {@code kind} PENDING) or
   * a stored transfer that posted, sometimes any id seen (refused ones too) or an unknown one.
   */
  private UUID pick(Random random, List<UUID> known, @Nullable String kind) {
    int roll = random.nextInt(10);
    if (roll < 7) {
      List<UUID> fitting = new ArrayList<>();
      stored.forEach(
          (id, t) -> {
            boolean posts = t.kind().equals("SINGLE") || t.kind().equals("POST");
            if (kind == null ? posts : t.kind().equals(kind)) {
              fitting.add(id);
            }
          });
      if (!fitting.isEmpty()) {
        fitting.sort(null);
        return fitting.get(random.nextInt(fitting.size()));
      }
    }
    if (roll < 9 && !known.isEmpty()) {
      return known.get(random.nextInt(known.size()));
    }
    return Ids.newId();
  }

  /**
   * The model's answers to a batch: events in order; a linked chain (linked events up to and
   * including the first unlinked one) is undone as a whole when one of its events is refused, and a
   * chain still open at the end of the batch is not applied at all.
   */
  private List<TransferResult> applyBatch(List<LedgerCommand> batch) {
    int n = batch.size();
    List<TransferResult> results = new ArrayList<>();
    Snapshot mark = null;
    int chainStart = -1;
    for (int i = 0; i < n; i++) {
      LedgerCommand c = batch.get(i);
      if (chainStart < 0 && c.linked()) {
        chainStart = i;
        mark = snapshot();
      }
      if (chainStart >= 0 && c.linked() && i == n - 1) {
        restore(mark);
        for (int j = chainStart; j < i; j++) {
          results.set(j, TransferResult.LINKED_EVENT_FAILED);
        }
        results.add(TransferResult.LINKED_EVENT_CHAIN_OPEN);
        break;
      }
      TransferResult r = apply(c);
      if (chainStart >= 0 && !r.posted()) {
        restore(mark);
        for (int j = chainStart; j < i; j++) {
          results.set(j, TransferResult.LINKED_EVENT_FAILED);
        }
        results.add(r);
        int end = i;
        while (end < n - 1 && batch.get(end).linked()) {
          end++;
          boolean open = end == n - 1 && batch.get(end).linked();
          results.add(
              open ? TransferResult.LINKED_EVENT_CHAIN_OPEN : TransferResult.LINKED_EVENT_FAILED);
        }
        i = end;
        chainStart = -1;
        continue;
      }
      results.add(r);
      if (chainStart >= 0 && !c.linked()) {
        chainStart = -1;
      }
    }
    return results;
  }

  /** A copy of the whole model, to undo a failed chain. */
  private record Snapshot(
      Map<UUID, long[]> totals,
      Map<UUID, T> stored,
      Map<UUID, LedgerCommand> applied,
      Map<UUID, String> resolvedBy,
      Map<UUID, Long> reversed) {}

  private Snapshot snapshot() {
    Map<UUID, long[]> totals = new HashMap<>();
    model.forEach((id, m) -> totals.put(id, new long[] {m.dp, m.cp, m.dpend, m.cpend}));
    return new Snapshot(
        totals,
        new HashMap<>(stored),
        new HashMap<>(applied),
        new HashMap<>(resolvedBy),
        new HashMap<>(reversed));
  }

  private void restore(@Nullable Snapshot s) {
    if (s == null) {
      throw new IllegalStateException("no chain to undo");
    }
    s.totals()
        .forEach(
            (id, t) -> {
              M m = model.get(id);
              m.dp = t[0];
              m.cp = t[1];
              m.dpend = t[2];
              m.cpend = t[3];
            });
    stored.clear();
    stored.putAll(s.stored());
    applied.clear();
    applied.putAll(s.applied());
    resolvedBy.clear();
    resolvedBy.putAll(s.resolvedBy());
    reversed.clear();
    reversed.putAll(s.reversed());
  }

  /** The model's answer to one event, applied to the model when OK. */
  private TransferResult apply(LedgerCommand c) {
    if (stored.containsKey(c.id())) {
      return applied.get(c.id()) == c
          ? TransferResult.EXISTS
          : TransferResult.EXISTS_WITH_DIFFERENT_FIELDS;
    }
    TransferResult r;
    if (c instanceof TransferCommand t) {
      r = transfer(t);
    } else if (c instanceof ResolveCommand rc) {
      r = resolve(rc);
    } else {
      r = reverse((ReverseCommand) c);
    }
    if (r == TransferResult.OK) {
      applied.put(c.id(), c);
    }
    return r;
  }

  private TransferResult transfer(TransferCommand t) {
    long amount = t.amount().longValueExact();
    if (amount <= 0) {
      return TransferResult.INVALID_AMOUNT;
    }
    if (t.debitAccountId().equals(t.creditAccountId())) {
      return TransferResult.SAME_ACCOUNT;
    }
    M d = model.get(t.debitAccountId());
    M k = model.get(t.creditAccountId());
    if (d.wallet && d.dp + d.dpend + amount > d.cp) {
      return TransferResult.INSUFFICIENT_FUNDS;
    }
    if (t.pending()) {
      d.dpend += amount;
      k.cpend += amount;
    } else {
      d.dp += amount;
      k.cp += amount;
    }
    stored.put(
        t.id(),
        new T(
            t.debitAccountId(),
            t.creditAccountId(),
            amount,
            t.pending() ? "PENDING" : "SINGLE",
            null));
    return TransferResult.OK;
  }

  private TransferResult resolve(ResolveCommand c) {
    T hold = stored.get(c.pendingId());
    if (hold == null) {
      return TransferResult.PENDING_TRANSFER_NOT_FOUND;
    }
    if (!hold.kind().equals("PENDING")) {
      return TransferResult.PENDING_TRANSFER_NOT_PENDING;
    }
    String by = resolvedBy.get(c.pendingId());
    if (by != null) {
      return by.equals("POST")
          ? TransferResult.PENDING_TRANSFER_ALREADY_POSTED
          : TransferResult.PENDING_TRANSFER_ALREADY_VOIDED;
    }
    long posted = 0;
    if (c.kind().name().equals("POST")) {
      posted = c.amount() == null ? hold.amount() : c.amount().longValueExact();
      if (posted > hold.amount()) {
        return TransferResult.EXCEEDS_PENDING_TRANSFER_AMOUNT;
      }
    }
    M d = model.get(hold.debit());
    M k = model.get(hold.credit());
    d.dpend -= hold.amount();
    k.cpend -= hold.amount();
    d.dp += posted;
    k.cp += posted;
    resolvedBy.put(c.pendingId(), c.kind().name());
    String kind = c.kind().name();
    stored.put(
        c.id(),
        new T(
            hold.debit(), hold.credit(), kind.equals("POST") ? posted : hold.amount(), kind, null));
    return TransferResult.OK;
  }

  private TransferResult reverse(ReverseCommand c) {
    T original = stored.get(c.originalId());
    if (original == null) {
      return TransferResult.REVERSED_TRANSFER_NOT_FOUND;
    }
    boolean posts = original.kind().equals("SINGLE") || original.kind().equals("POST");
    if (!posts || original.reverses() != null) {
      return TransferResult.TRANSFER_NOT_REVERSIBLE;
    }
    long before = reversed.getOrDefault(c.originalId(), 0L);
    long remaining = original.amount() - before;
    if (remaining <= 0) {
      return TransferResult.TRANSFER_ALREADY_REVERSED;
    }
    long amount = c.amount() == null ? remaining : c.amount().longValueExact();
    if (amount > remaining) {
      return TransferResult.EXCEEDS_REVERSIBLE_AMOUNT;
    }
    M d = model.get(original.credit());
    M k = model.get(original.debit());
    if (d.wallet && d.dp + d.dpend + amount > d.cp) {
      return TransferResult.INSUFFICIENT_FUNDS;
    }
    d.dp += amount;
    k.cp += amount;
    reversed.put(c.originalId(), before + amount);
    stored.put(
        c.id(), new T(original.credit(), original.debit(), amount, "SINGLE", c.originalId()));
    return TransferResult.OK;
  }

  private UUID open(boolean wallet) {
    UUID id =
        accounts
            .open(
                Ids.newId(),
                Asset.USD,
                wallet ? "customer" : "issuance",
                null,
                wallet
                    ? EnumSet.of(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS)
                    : EnumSet.noneOf(AccountFlag.class))
            .account()
            .id();
    model.put(id, new M(wallet));
    return id;
  }
}
