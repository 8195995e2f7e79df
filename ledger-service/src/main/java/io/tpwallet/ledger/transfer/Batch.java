package io.tpwallet.ledger.transfer;

import io.tpwallet.common.money.Money;
import io.tpwallet.ledger.account.Account;
import io.tpwallet.ledger.account.Accounts.Totals;
import java.math.BigInteger;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The working state of one batch inside its transaction: the locked accounts with their running
 * totals, the transfers it creates and the holds it resolves. Events are applied one by one in
 * memory; a failing linked chain is undone from an undo log. Nothing touches the database here: the
 * caller writes the outcome with one statement batch per table.
 */
final class Batch {

  private final Map<UUID, Account> accounts;
  private final Map<UUID, Totals> initial = new LinkedHashMap<>();
  private final Map<UUID, Totals> totals = new LinkedHashMap<>();
  private final Map<UUID, Transfer> stored;
  private final Map<UUID, Transfer> holds;
  private final Map<UUID, TransferKind> resolutions;
  private final LinkedHashMap<UUID, Transfer> created = new LinkedHashMap<>();
  private final List<Runnable> undo = new ArrayList<>();
  private final Instant now;
  private Map<UUID, Transfer> originals = Map.of();
  private final Map<UUID, BigInteger> reversed = new LinkedHashMap<>();
  private final Map<UUID, Instant> lastImports = new LinkedHashMap<>();
  private Set<UUID> archivedIds = Set.of();
  private Set<YearMonth> archivedMonths = Set.of();

  /**
   * @param accounts the batch's accounts, locked
   * @param stored committed transfers with the ids of the batch's events (replays)
   * @param holds committed holds the batch's events name
   * @param resolutions how each of those holds was resolved, if it was
   * @param now the batch's time, for created_at and timeouts
   */
  Batch(
      Map<UUID, Account> accounts,
      Map<UUID, Transfer> stored,
      Map<UUID, Transfer> holds,
      Map<UUID, TransferKind> resolutions,
      Instant now) {
    this.accounts = accounts;
    this.stored = stored;
    this.holds = holds;
    this.resolutions = new LinkedHashMap<>(resolutions);
    this.now = now;
    for (Account a : accounts.values()) {
      initial.put(a.id(), PostingRules.totals(a));
      totals.put(a.id(), PostingRules.totals(a));
    }
  }

  /**
   * @param originals committed transfers the batch's reversals name
   * @param reversedSoFar how much of each of those was reversed before this batch
   */
  Batch withReversals(Map<UUID, Transfer> originals, Map<UUID, BigInteger> reversedSoFar) {
    this.originals = originals;
    this.reversed.putAll(reversedSoFar);
    return this;
  }

  /**
   * @param newestImports the time of the newest imported transfer on each locked account
   */
  Batch withImports(Map<UUID, Instant> newestImports) {
    this.lastImports.putAll(newestImports);
    return this;
  }

  /**
   * @param ids the batch's event ids that are transfers of an archived month
   * @param months the archived months among those the batch's imports fall in
   */
  Batch withArchived(Set<UUID> ids, Set<YearMonth> months) {
    this.archivedIds = ids;
    this.archivedMonths = months;
    return this;
  }

  /** Applies every event in order, honouring linked chains; one result per event. */
  List<Posting> applyAll(List<? extends LedgerCommand> commands) {
    int n = commands.size();
    List<Posting> results = new ArrayList<>(n);
    int chainStart = -1;
    int mark = 0;
    for (int i = 0; i < n; i++) {
      LedgerCommand command = commands.get(i);
      if (chainStart < 0 && command.linked()) {
        chainStart = i;
        mark = undo.size();
      }
      if (chainStart >= 0 && command.linked() && i == n - 1) {
        rollback(mark);
        failChain(commands, results, chainStart, i, TransferResult.LINKED_EVENT_FAILED);
        results.add(refusal(TransferResult.LINKED_EVENT_CHAIN_OPEN, command));
        break;
      }
      Posting posting = apply(command);
      if (chainStart >= 0 && !posting.result().posted()) {
        rollback(mark);
        failChain(commands, results, chainStart, i, TransferResult.LINKED_EVENT_FAILED);
        results.add(posting);
        // The rest of the chain, up to and including its first unlinked event, is not tried.
        int end = i;
        while (end < n - 1 && commands.get(end).linked()) {
          end++;
          boolean open = end == n - 1 && commands.get(end).linked();
          results.add(
              refusal(
                  open
                      ? TransferResult.LINKED_EVENT_CHAIN_OPEN
                      : TransferResult.LINKED_EVENT_FAILED,
                  commands.get(end)));
        }
        i = end;
        chainStart = -1;
        continue;
      }
      results.add(posting);
      if (chainStart >= 0 && !command.linked()) {
        chainStart = -1;
      }
    }
    return results;
  }

  /** Results of the chain's events before {@code failed}, which applied and are now undone. */
  private static void failChain(
      List<? extends LedgerCommand> commands,
      List<Posting> results,
      int chainStart,
      int failed,
      TransferResult code) {
    for (int j = chainStart; j < failed; j++) {
      results.set(j, refusal(code, commands.get(j)));
    }
  }

  private Posting apply(LedgerCommand command) {
    Transfer prior = stored.get(command.id());
    if (prior == null) {
      prior = created.get(command.id());
    }
    if (prior == null && archivedIds.contains(command.id())) {
      return refusal(TransferResult.TRANSFER_ARCHIVED, command);
    }
    if (prior != null) {
      TransferResult result =
          prior.sameAs(command)
              ? TransferResult.EXISTS
              : TransferResult.EXISTS_WITH_DIFFERENT_FIELDS;
      return new Posting(
          result, result.posted() ? prior : null, PostingRules.describe(result, command));
    }
    if (command instanceof TransferCommand t) {
      return applyTransfer(t);
    }
    if (command instanceof ResolveCommand r) {
      return applyResolve(r);
    }
    return applyReverse((ReverseCommand) command);
  }

  /**
   * A reversal is checked and applied as the transfer the other way that it is, after checking that
   * the original posted and that the reversals of it stay within its amount.
   */
  private Posting applyReverse(ReverseCommand c) {
    UUID originalId = c.originalId();
    Transfer original = originals.get(originalId);
    if (original == null) {
      original = created.get(originalId);
    }
    if (original == null) {
      return refusal(TransferResult.REVERSED_TRANSFER_NOT_FOUND, c);
    }
    if (!original.kind().posts() || original.reversesId() != null) {
      return refusal(TransferResult.TRANSFER_NOT_REVERSIBLE, c);
    }
    BigInteger before = reversed.getOrDefault(originalId, BigInteger.ZERO);
    BigInteger remaining = original.amount().subtract(before);
    if (remaining.signum() <= 0) {
      return refusal(TransferResult.TRANSFER_ALREADY_REVERSED, c);
    }
    BigInteger asked = c.amount();
    BigInteger amount = asked == null ? remaining : asked;
    if (amount.signum() <= 0) {
      return refusal(TransferResult.INVALID_AMOUNT, c);
    }
    if (amount.compareTo(remaining) > 0) {
      return refusal(TransferResult.EXCEEDS_REVERSIBLE_AMOUNT, c);
    }
    TransferCommand back =
        new TransferCommand(
            c.id(),
            original.creditAccountId(),
            original.debitAccountId(),
            amount,
            original.asset(),
            c.reference());
    Account debit = accounts.get(back.debitAccountId());
    Account credit = accounts.get(back.creditAccountId());
    if (debit == null || credit == null) {
      throw new IllegalStateException(
          "the accounts of transfer " + originalId + " were not locked");
    }
    Totals d = totals.get(debit.id());
    Totals k = totals.get(credit.id());
    Optional<TransferResult> refused = PostingRules.checkAccounts(back, debit, d, credit, k);
    if (refused.isPresent()) {
      return refusal(refused.get(), c);
    }
    postNow(d, k, amount);
    reversed.put(originalId, before.add(amount));
    undo.add(() -> reversed.put(originalId, before));
    return create(
        new Transfer(
            c.id(),
            back.debitAccountId(),
            back.creditAccountId(),
            amount,
            back.asset(),
            back.reference(),
            TransferKind.SINGLE,
            null,
            null,
            now,
            originalId,
            null),
        c);
  }

  private void postNow(Totals d, Totals k, BigInteger amount) {
    set(
        d,
        new Totals(
            d.id(),
            d.debitsPosted().add(amount),
            d.creditsPosted(),
            d.debitsPending(),
            d.creditsPending()));
    set(
        k,
        new Totals(
            k.id(),
            k.debitsPosted(),
            k.creditsPosted().add(amount),
            k.debitsPending(),
            k.creditsPending()));
  }

  /**
   * An imported transfer carries its historical time: not after now, and not before an import
   * already on either account, so that each account's imported history is applied in order.
   */
  private Optional<TransferResult> checkImport(TransferCommand c) {
    Instant at = c.importedAt();
    if (at == null) {
      return Optional.empty();
    }
    if (at.isAfter(now)) {
      return Optional.of(TransferResult.IMPORTED_IN_FUTURE);
    }
    if (archivedMonths.contains(MonthPartitions.monthOf(at))) {
      return Optional.of(TransferResult.IMPORTED_INTO_ARCHIVED_MONTH);
    }
    for (UUID account : List.of(c.debitAccountId(), c.creditAccountId())) {
      Instant last = lastImports.get(account);
      if (last != null && at.isBefore(last)) {
        return Optional.of(TransferResult.IMPORTED_OUT_OF_ORDER);
      }
    }
    return Optional.empty();
  }

  private void recordImport(UUID account, Instant at) {
    Instant before = lastImports.get(account);
    lastImports.put(account, at);
    undo.add(
        () -> {
          if (before == null) {
            lastImports.remove(account);
          } else {
            lastImports.put(account, before);
          }
        });
  }

  private Posting applyTransfer(TransferCommand c) {
    Optional<TransferResult> invalid = PostingRules.checkFields(c);
    if (invalid.isPresent()) {
      return refusal(invalid.get(), c);
    }
    Account debit = accounts.get(c.debitAccountId());
    Account credit = accounts.get(c.creditAccountId());
    if (debit == null || credit == null) {
      return refusal(TransferResult.ACCOUNT_NOT_FOUND, c);
    }
    Totals d = totals.get(debit.id());
    Totals k = totals.get(credit.id());
    Optional<TransferResult> refused = PostingRules.checkAccounts(c, debit, d, credit, k);
    if (refused.isEmpty()) {
      refused = checkImport(c);
    }
    if (refused.isPresent()) {
      return refusal(refused.get(), c);
    }
    BigInteger amount = c.amount();
    Instant importedAt = c.importedAt();
    if (importedAt != null) {
      recordImport(c.debitAccountId(), importedAt);
      recordImport(c.creditAccountId(), importedAt);
    }
    if (c.pending()) {
      set(
          d,
          new Totals(
              d.id(),
              d.debitsPosted(),
              d.creditsPosted(),
              d.debitsPending().add(amount),
              d.creditsPending()));
      set(
          k,
          new Totals(
              k.id(),
              k.debitsPosted(),
              k.creditsPosted(),
              k.debitsPending(),
              k.creditsPending().add(amount)));
    } else {
      postNow(d, k, amount);
    }
    Instant timeoutAt = c.timeoutSeconds() > 0 ? now.plusSeconds(c.timeoutSeconds()) : null;
    return create(
        new Transfer(
            c.id(),
            c.debitAccountId(),
            c.creditAccountId(),
            amount,
            c.asset(),
            c.reference(),
            c.kind(),
            null,
            timeoutAt,
            importedAt == null ? now : importedAt,
            null,
            c.legacyRef(),
            c.metadata()),
        c);
  }

  private Posting applyResolve(ResolveCommand c) {
    UUID pendingId = c.pendingId();
    Transfer hold = holds.get(pendingId);
    if (hold == null) {
      hold = created.get(pendingId);
    }
    Optional<TransferResult> refused =
        PostingRules.checkResolve(c, hold, resolutions.get(pendingId), now);
    if (refused.isPresent() || hold == null) {
      return refusal(refused.orElse(TransferResult.PENDING_TRANSFER_NOT_FOUND), c);
    }
    Totals d = totals.get(hold.debitAccountId());
    Totals k = totals.get(hold.creditAccountId());
    if (d == null || k == null) {
      throw new IllegalStateException("the accounts of hold " + pendingId + " were not locked");
    }
    BigInteger held = hold.amount();
    BigInteger asked = c.amount();
    BigInteger posted =
        c.kind() == TransferKind.POST ? (asked == null ? held : asked) : BigInteger.ZERO;
    if (d.debitsPosted().add(posted).compareTo(Money.MINOR_MAX) > 0
        || k.creditsPosted().add(posted).compareTo(Money.MINOR_MAX) > 0) {
      return refusal(TransferResult.OVERFLOW, c);
    }
    set(
        d,
        new Totals(
            d.id(),
            d.debitsPosted().add(posted),
            d.creditsPosted(),
            d.debitsPending().subtract(held),
            d.creditsPending()));
    set(
        k,
        new Totals(
            k.id(),
            k.debitsPosted(),
            k.creditsPosted().add(posted),
            k.debitsPending(),
            k.creditsPending().subtract(held)));
    resolutions.put(pendingId, c.kind());
    undo.add(() -> resolutions.remove(pendingId));
    return create(
        new Transfer(
            c.id(),
            hold.debitAccountId(),
            hold.creditAccountId(),
            c.kind() == TransferKind.POST ? posted : held,
            hold.asset(),
            c.reference(),
            c.kind(),
            pendingId,
            null,
            now),
        c);
  }

  private Posting create(Transfer t, LedgerCommand c) {
    created.put(t.id(), t);
    undo.add(() -> created.remove(t.id()));
    return new Posting(TransferResult.OK, t, PostingRules.describe(TransferResult.OK, c));
  }

  private void set(Totals before, Totals after) {
    if (after.debitsPending().signum() < 0 || after.creditsPending().signum() < 0) {
      throw new IllegalStateException("pending total below zero: " + after);
    }
    totals.put(after.id(), after);
    undo.add(() -> totals.put(before.id(), before));
  }

  private void rollback(int mark) {
    for (int i = undo.size() - 1; i >= mark; i--) {
      undo.remove(i).run();
    }
  }

  private static Posting refusal(TransferResult result, LedgerCommand command) {
    return new Posting(result, null, PostingRules.describe(result, command));
  }

  /** The transfers the batch creates, in the order they were applied. */
  List<Transfer> created() {
    return List.copyOf(created.values());
  }

  /** The accounts whose totals the batch changed, with their new totals. */
  List<Totals> changedTotals() {
    List<Totals> changed = new ArrayList<>();
    for (var e : totals.entrySet()) {
      if (!e.getValue().equals(initial.get(e.getKey()))) {
        changed.add(e.getValue());
      }
    }
    return changed;
  }

  @Nullable Account account(UUID id) {
    return accounts.get(id);
  }
}
