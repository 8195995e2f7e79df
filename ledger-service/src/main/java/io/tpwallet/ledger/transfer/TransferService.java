package io.tpwallet.ledger.transfer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tpwallet.ledger.account.Account;
import io.tpwallet.ledger.account.Accounts;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Posts transfers: the one place balances change, used alike by the REST API and the Kafka command
 * consumer.
 */
@Service
public class TransferService {

  /** The most entries one statement page returns. */
  public static final int ENTRIES_PAGE_SIZE_MAX = 200;

  private final Accounts accounts;
  private final Transfers transfers;
  private final Timer postingTimer;
  private final Map<TransferResult, Counter> results = new EnumMap<>(TransferResult.class);

  TransferService(Accounts accounts, Transfers transfers, MeterRegistry meters) {
    this.accounts = accounts;
    this.transfers = transfers;
    this.postingTimer =
        Timer.builder("tpw.ledger.posting")
            .description("Time to decide and write one transfer, inside its transaction")
            .register(meters);
    for (TransferResult result : TransferResult.values()) {
      results.put(
          result,
          Counter.builder("tpw.ledger.transfers")
              .description("Transfers asked of the ledger, by result (counted when committed)")
              .tag("result", result.name())
              .register(meters));
    }
  }

  /**
   * Posts a transfer at most once per id. Locks both accounts in id order, checks the command
   * against them, then writes the transfer, its two entries and the accounts' new totals. A refusal
   * is an answer, not an exception: nothing is written and the caller's transaction (the Kafka
   * consumer's, with its inbox row and the rejection event) still commits.
   */
  @Transactional
  public Posting post(TransferCommand command) {
    Timer.Sample sample = Timer.start();
    try {
      Posting posting = decideAndWrite(command);
      count(posting.result());
      return posting;
    } finally {
      sample.stop(postingTimer);
    }
  }

  private Posting decideAndWrite(TransferCommand command) {
    Optional<Transfer> existing = transfers.find(command.id());
    if (existing.isPresent()) {
      return replay(existing.get(), command);
    }
    Optional<TransferResult> invalid = PostingRules.checkFields(command);
    if (invalid.isPresent()) {
      return refusal(invalid.get(), command);
    }
    List<Account> locked =
        accounts.lockInIdOrder(command.debitAccountId(), command.creditAccountId());
    Account debit = byId(locked, command.debitAccountId());
    Account credit = byId(locked, command.creditAccountId());
    Optional<TransferResult> refused = PostingRules.checkAccounts(command, debit, credit);
    if (refused.isPresent()) {
      // The same id may have been posted while this waited for the locks: a replay, then.
      return transfers
          .find(command.id())
          .map(t -> replay(t, command))
          .orElseGet(() -> refusal(refused.get(), command));
    }
    if (!transfers.insertIfAbsent(command)) {
      Transfer winner =
          transfers
              .find(command.id())
              .orElseThrow(() -> new IllegalStateException("transfer " + command.id()));
      return replay(winner, command);
    }
    transfers.insertEntries(command);
    accounts.addPosted(command.debitAccountId(), command.creditAccountId(), command.amount());
    Transfer posted =
        transfers
            .find(command.id())
            .orElseThrow(() -> new IllegalStateException("transfer " + command.id()));
    return new Posting(
        TransferResult.OK, posted, PostingRules.describe(TransferResult.OK, command));
  }

  public Optional<Transfer> find(UUID id) {
    return transfers.find(id);
  }

  /** An account's entries, newest first; {@code limit} is clamped to 1..ENTRIES_PAGE_SIZE_MAX. */
  public List<Entry> entries(UUID accountId, int limit, @Nullable Long beforeId) {
    int bounded = Math.max(1, Math.min(limit, ENTRIES_PAGE_SIZE_MAX));
    return transfers.entries(accountId, bounded, beforeId);
  }

  private static Posting replay(Transfer existing, TransferCommand command) {
    TransferResult result =
        existing.sameAs(command)
            ? TransferResult.EXISTS
            : TransferResult.EXISTS_WITH_DIFFERENT_FIELDS;
    return new Posting(result, existing, PostingRules.describe(result, command));
  }

  private static Posting refusal(TransferResult result, TransferCommand command) {
    return new Posting(result, null, PostingRules.describe(result, command));
  }

  private static @Nullable Account byId(List<Account> locked, UUID id) {
    for (Account a : locked) {
      if (a.id().equals(id)) {
        return a;
      }
    }
    return null;
  }

  /** Counts the result once the transaction commits, so that a rolled-back retry counts once. */
  private void count(TransferResult result) {
    Counter counter = results.get(result);
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              counter.increment();
            }
          });
    } else {
      counter.increment();
    }
  }
}
