package io.tpwallet.ledger.transfer;

import io.tpwallet.common.money.Money;
import io.tpwallet.ledger.account.Account;
import io.tpwallet.ledger.account.AccountFlag;
import io.tpwallet.ledger.account.Accounts.Totals;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The checks an event must pass before it is applied, as pure functions of the command, the
 * accounts and their current totals, so that they can be tested without a database. Each returns
 * the refusal, or empty when the event may go ahead.
 */
final class PostingRules {

  private PostingRules() {}

  /** Checks that need no account: the amount's range, two distinct accounts, the timeout. */
  static Optional<TransferResult> checkFields(TransferCommand command) {
    BigInteger amount = command.amount();
    if (amount.signum() <= 0 || amount.compareTo(Money.MINOR_MAX) > 0) {
      return Optional.of(TransferResult.INVALID_AMOUNT);
    }
    if (command.debitAccountId().equals(command.creditAccountId())) {
      return Optional.of(TransferResult.SAME_ACCOUNT);
    }
    long timeout = command.timeoutSeconds();
    if (timeout < 0
        || timeout > TransferCommand.TIMEOUT_SECONDS_MAX
        || (timeout > 0 && !command.pending())) {
      return Optional.of(TransferResult.INVALID_TIMEOUT);
    }
    return Optional.empty();
  }

  /** Checks against the two accounts as posted at the time the account locks were taken. */
  static Optional<TransferResult> checkAccounts(
      TransferCommand command, @Nullable Account debit, @Nullable Account credit) {
    if (debit == null || credit == null) {
      return Optional.of(TransferResult.ACCOUNT_NOT_FOUND);
    }
    return checkAccounts(command, debit, totals(debit), credit, totals(credit));
  }

  /**
   * Checks against the two accounts and their current totals. Limits count held amounts: a wallet
   * may not spend, or hold again, what is already held on it.
   */
  static Optional<TransferResult> checkAccounts(
      TransferCommand command, Account debit, Totals debitTotals, Account credit, Totals credit2) {
    if (!debit.asset().code().equals(command.asset())
        || !credit.asset().code().equals(command.asset())) {
      return Optional.of(TransferResult.ASSET_MISMATCH);
    }
    BigInteger amount = command.amount();
    BigInteger debitsAfter =
        debitTotals.debitsPosted().add(debitTotals.debitsPending()).add(amount);
    BigInteger creditsAfter = credit2.creditsPosted().add(credit2.creditsPending()).add(amount);
    if (debit.has(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS)
        && debitsAfter.compareTo(debitTotals.creditsPosted()) > 0) {
      return Optional.of(TransferResult.INSUFFICIENT_FUNDS);
    }
    if (credit.has(AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS)
        && creditsAfter.compareTo(credit2.debitsPosted()) > 0) {
      return Optional.of(TransferResult.EXCEEDS_DEBITS);
    }
    if (debitsAfter.compareTo(Money.MINOR_MAX) > 0 || creditsAfter.compareTo(Money.MINOR_MAX) > 0) {
      return Optional.of(TransferResult.OVERFLOW);
    }
    return Optional.empty();
  }

  /**
   * Checks a post, void or expiry against the hold it names and how that hold was resolved, if it
   * was. {@code now} decides whether the hold's timeout has passed.
   */
  static Optional<TransferResult> checkResolve(
      ResolveCommand command,
      @Nullable Transfer hold,
      @Nullable TransferKind resolvedBy,
      Instant now) {
    if (hold == null) {
      return Optional.of(TransferResult.PENDING_TRANSFER_NOT_FOUND);
    }
    if (hold.kind() != TransferKind.PENDING) {
      return Optional.of(TransferResult.PENDING_TRANSFER_NOT_PENDING);
    }
    if (resolvedBy != null) {
      return Optional.of(
          switch (resolvedBy) {
            case POST -> TransferResult.PENDING_TRANSFER_ALREADY_POSTED;
            case VOID -> TransferResult.PENDING_TRANSFER_ALREADY_VOIDED;
            default -> TransferResult.PENDING_TRANSFER_EXPIRED;
          });
    }
    Instant timeoutAt = hold.timeoutAt();
    boolean due = timeoutAt != null && !now.isBefore(timeoutAt);
    if (command.kind() == TransferKind.EXPIRE) {
      return due ? Optional.empty() : Optional.of(TransferResult.PENDING_TRANSFER_NOT_EXPIRED);
    }
    if (due) {
      return Optional.of(TransferResult.PENDING_TRANSFER_EXPIRED);
    }
    BigInteger amount = command.amount();
    if (amount != null) {
      if (amount.signum() <= 0) {
        return Optional.of(TransferResult.INVALID_AMOUNT);
      }
      if (command.kind() == TransferKind.POST && amount.compareTo(hold.amount()) > 0) {
        return Optional.of(TransferResult.EXCEEDS_PENDING_TRANSFER_AMOUNT);
      }
      if (command.kind() != TransferKind.POST && !amount.equals(hold.amount())) {
        // A void releases the whole hold; naming another amount is a mistake worth refusing.
        return Optional.of(TransferResult.INVALID_AMOUNT);
      }
    }
    return Optional.empty();
  }

  static Totals totals(Account a) {
    return new Totals(
        a.id(), a.debitsPosted(), a.creditsPosted(), a.debitsPending(), a.creditsPending());
  }

  /** A sentence for a result, naming the event. */
  static String describe(TransferResult result, LedgerCommand command) {
    String id = command.id().toString();
    String asset = command instanceof TransferCommand t ? t.asset() : "";
    return switch (result) {
      case OK -> "Transfer " + id + " is applied.";
      case EXISTS -> "Transfer " + id + " was already applied with the same fields.";
      case EXISTS_WITH_DIFFERENT_FIELDS ->
          "Transfer " + id + " was already applied with other fields.";
      case ACCOUNT_NOT_FOUND -> "The debit or the credit account does not exist.";
      case ASSET_MISMATCH ->
          "The transfer's asset " + asset + " is not the asset of both accounts.";
      case SAME_ACCOUNT -> "The debit and the credit account are the same.";
      case INSUFFICIENT_FUNDS -> "The debit account has insufficient funds.";
      case EXCEEDS_DEBITS -> "The credit account's credits would exceed its debits.";
      case INVALID_AMOUNT ->
          "The amount must be a positive integer of at most " + Money.MINOR_MAX + " minor units.";
      case OVERFLOW -> "An account's total would exceed " + Money.MINOR_MAX + ".";
      case INVALID_TIMEOUT ->
          "A timeout must be 0.."
              + TransferCommand.TIMEOUT_SECONDS_MAX
              + " seconds, and only a hold has one.";
      case PENDING_TRANSFER_NOT_FOUND -> "There is no hold with the id this event names.";
      case PENDING_TRANSFER_NOT_PENDING -> "The transfer this event names is not a hold.";
      case PENDING_TRANSFER_ALREADY_POSTED -> "The hold was already posted.";
      case PENDING_TRANSFER_ALREADY_VOIDED -> "The hold was already voided.";
      case PENDING_TRANSFER_EXPIRED -> "The hold has expired.";
      case PENDING_TRANSFER_NOT_EXPIRED -> "The hold has not reached its timeout.";
      case EXCEEDS_PENDING_TRANSFER_AMOUNT -> "The post asks for more than the hold holds.";
      case LINKED_EVENT_FAILED -> "Another event of this linked chain failed; none was applied.";
      case LINKED_EVENT_CHAIN_OPEN ->
          "The batch ends inside a linked chain; none of the chain was applied.";
      case REVERSED_TRANSFER_NOT_FOUND -> "There is no transfer with the id this reversal names.";
      case TRANSFER_NOT_REVERSIBLE ->
          "Only a transfer that posted (not a hold, void, expiry or reversal) can be reversed.";
      case TRANSFER_ALREADY_REVERSED -> "The transfer's whole amount was already reversed.";
      case EXCEEDS_REVERSIBLE_AMOUNT ->
          "The reversal asks for more than what is left to reverse of the transfer.";
      case IMPORTED_OUT_OF_ORDER ->
          "The imported transfer is older than an import already on one of its accounts.";
      case IMPORTED_IN_FUTURE -> "The imported transfer's time is in the future.";
      case TRANSFER_ARCHIVED ->
          "Transfer "
              + id
              + " was applied in a month that is archived; restore the month to read it.";
      case IMPORTED_INTO_ARCHIVED_MONTH ->
          "The imported transfer's time falls in an archived month; restore the month first.";
    };
  }
}
