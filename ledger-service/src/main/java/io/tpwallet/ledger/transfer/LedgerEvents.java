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

  void transferWritten(Transfer t) {
    String key = t.id().toString();
    String amount = t.amount().toString();
    switch (t.kind()) {
      case SINGLE, POST -> outbox.add(Topics.LEDGER_TRANSFER_POSTED, key, posted(t));
      case PENDING ->
          outbox.add(
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
          outbox.add(
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
          outbox.add(
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
    }
  }

  void balanceChanged(Account account, Totals t, Instant at) {
    outbox.add(
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
