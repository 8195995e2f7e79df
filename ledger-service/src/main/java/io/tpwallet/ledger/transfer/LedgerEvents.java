package io.tpwallet.ledger.transfer;

import io.tpwallet.common.event.BalanceChanged;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferExpired;
import io.tpwallet.common.event.TransferPending;
import io.tpwallet.common.event.TransferPosted;
import io.tpwallet.common.event.TransferVoided;
import io.tpwallet.common.outbox.Outbox;
import io.tpwallet.ledger.account.Account;
import io.tpwallet.ledger.account.Accounts.Totals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.stereotype.Component;

/**
 * Announces what a batch wrote, through the outbox in the batch's transaction: one event per new
 * transfer (keyed by transfer id) and one {@link BalanceChanged} per account the batch changed.
 */
@Component
class LedgerEvents {

  private final Outbox outbox;

  LedgerEvents(Outbox outbox) {
    this.outbox = outbox;
  }

  /** Adds the events of a batch's new transfers and changed accounts in one statement. */
  void batchWritten(List<Transfer> created, List<Outbox.Message> balances) {
    List<Outbox.Message> messages = new ArrayList<>(created.size() + balances.size());
    for (Transfer t : created) {
      messages.add(message(t));
    }
    messages.addAll(balances);
    outbox.addAll(messages);
  }

  /** The event that announces a written transfer, keyed by its id. */
  static Outbox.Message message(Transfer t) {
    String key = t.id().toString();
    String amount = t.amount().toString();
    return switch (t.kind()) {
      case SINGLE, POST -> new Outbox.Message(Topics.LEDGER_TRANSFER_POSTED, key, posted(t));
      case PENDING ->
          new Outbox.Message(
              Topics.LEDGER_TRANSFER_PENDING,
              key,
              new TransferPending(
                  t.id(),
                  t.debitAccountId(),
                  t.creditAccountId(),
                  amount,
                  t.asset(),
                  t.reference(),
                  t.timeoutAt(),
                  t.createdAt()));
      case VOID ->
          new Outbox.Message(
              Topics.LEDGER_TRANSFER_VOIDED,
              key,
              new TransferVoided(
                  t.id(),
                  Objects.requireNonNull(t.pendingId()),
                  t.debitAccountId(),
                  t.creditAccountId(),
                  amount,
                  t.asset(),
                  t.reference(),
                  t.createdAt()));
      case EXPIRE ->
          new Outbox.Message(
              Topics.LEDGER_TRANSFER_EXPIRED,
              key,
              new TransferExpired(
                  t.id(),
                  Objects.requireNonNull(t.pendingId()),
                  t.debitAccountId(),
                  t.creditAccountId(),
                  amount,
                  t.asset(),
                  t.createdAt()));
    };
  }

  static Outbox.Message balanceChanged(Account account, Totals t, Instant at) {
    return new Outbox.Message(
        Topics.LEDGER_BALANCE_CHANGED,
        account.id().toString(),
        new BalanceChanged(
            account.id(),
            account.asset().code(),
            t.debitsPosted().toString(),
            t.creditsPosted().toString(),
            t.debitsPending().toString(),
            t.creditsPending().toString(),
            t.creditsPosted().subtract(t.debitsPosted()).toString(),
            at));
  }

  static TransferPosted posted(Transfer t) {
    return new TransferPosted(
        t.id(),
        t.debitAccountId(),
        t.creditAccountId(),
        t.amount().toString(),
        t.asset(),
        t.reference(),
        t.createdAt(),
        t.pendingId());
  }
}
