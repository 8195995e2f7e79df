package io.tpwallet.ledger.transfer;

import io.tpwallet.common.money.Money;
import io.tpwallet.ledger.account.Account;
import io.tpwallet.ledger.account.AccountFlag;
import java.math.BigInteger;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The checks a transfer must pass before it is posted, as pure functions of the command and the
 * locked accounts, so that they can be tested without a database. Each returns the refusal, or
 * empty when the transfer may go ahead.
 */
final class PostingRules {

  private PostingRules() {}

  /** Checks that need no account: the amount's range and two distinct accounts. */
  static Optional<TransferResult> checkFields(TransferCommand command) {
    BigInteger amount = command.amount();
    if (amount.signum() <= 0 || amount.compareTo(Money.MINOR_MAX) > 0) {
      return Optional.of(TransferResult.INVALID_AMOUNT);
    }
    if (command.debitAccountId().equals(command.creditAccountId())) {
      return Optional.of(TransferResult.SAME_ACCOUNT);
    }
    return Optional.empty();
  }

  /** Checks against the two accounts, locked so that their totals cannot move meanwhile. */
  static Optional<TransferResult> checkAccounts(
      TransferCommand command, @Nullable Account debit, @Nullable Account credit) {
    if (debit == null || credit == null) {
      return Optional.of(TransferResult.ACCOUNT_NOT_FOUND);
    }
    if (!debit.asset().code().equals(command.asset())
        || !credit.asset().code().equals(command.asset())) {
      return Optional.of(TransferResult.ASSET_MISMATCH);
    }
    BigInteger amount = command.amount();
    BigInteger debitsAfter = debit.debitsPosted().add(amount);
    BigInteger creditsAfter = credit.creditsPosted().add(amount);
    if (debit.has(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS)
        && debitsAfter.compareTo(debit.creditsPosted()) > 0) {
      return Optional.of(TransferResult.INSUFFICIENT_FUNDS);
    }
    if (credit.has(AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS)
        && creditsAfter.compareTo(credit.debitsPosted()) > 0) {
      return Optional.of(TransferResult.EXCEEDS_DEBITS);
    }
    if (debitsAfter.compareTo(Money.MINOR_MAX) > 0 || creditsAfter.compareTo(Money.MINOR_MAX) > 0) {
      return Optional.of(TransferResult.OVERFLOW);
    }
    return Optional.empty();
  }

  /** A sentence for a refusal or a success, naming the transfer. */
  static String describe(TransferResult result, TransferCommand command) {
    String id = command.id().toString();
    return switch (result) {
      case OK -> "Transfer " + id + " is posted.";
      case EXISTS -> "Transfer " + id + " was already posted with the same fields.";
      case EXISTS_WITH_DIFFERENT_FIELDS ->
          "Transfer " + id + " was already posted with other fields.";
      case ACCOUNT_NOT_FOUND -> "The debit or the credit account does not exist.";
      case ASSET_MISMATCH ->
          "The transfer's asset " + command.asset() + " is not the asset of both accounts.";
      case SAME_ACCOUNT -> "The debit and the credit account are the same.";
      case INSUFFICIENT_FUNDS -> "The debit account has insufficient funds.";
      case EXCEEDS_DEBITS -> "The credit account's credits would exceed its debits.";
      case INVALID_AMOUNT ->
          "The amount must be a positive integer of at most " + Money.MINOR_MAX + " minor units.";
      case OVERFLOW -> "An account's posted total would exceed " + Money.MINOR_MAX + ".";
    };
  }
}
