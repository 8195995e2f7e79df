package io.tpwallet.ledger.transfer;

/**
 * What posting a transfer did. {@link #OK} and {@link #EXISTS} mean the transfer is posted; every
 * other code is a refusal that changed nothing. The names are stable: they travel in {@code
 * TransferRejected.code} and in problem details.
 */
public enum TransferResult {
  OK,
  EXISTS,
  EXISTS_WITH_DIFFERENT_FIELDS,
  ACCOUNT_NOT_FOUND,
  ASSET_MISMATCH,
  SAME_ACCOUNT,
  /** The debit account has DEBITS_MUST_NOT_EXCEED_CREDITS and its debits would pass credits. */
  INSUFFICIENT_FUNDS,
  /** The credit account has CREDITS_MUST_NOT_EXCEED_DEBITS and its credits would pass debits. */
  EXCEEDS_DEBITS,
  /** Not in 1..Money.MINOR_MAX minor units. */
  INVALID_AMOUNT,
  /** A posted total would pass Money.MINOR_MAX, the largest amount the ledger represents. */
  OVERFLOW;

  /** Whether the transfer stands posted after this result. */
  public boolean posted() {
    return this == OK || this == EXISTS;
  }
}
