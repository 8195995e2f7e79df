package io.tpwallet.ledger.transfer;

/**
 * What one event of a batch did. {@link #OK} and {@link #EXISTS} mean the transfer stands; every
 * other code is a refusal that changed nothing. The names are stable (after TigerBeetle's): they
 * travel in {@code TransferRejected.code}, in batch results and in problem details.
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
  /** A posted or pending total would pass Money.MINOR_MAX. */
  OVERFLOW,
  /** A hold's timeout is negative or longer than TransferCommand.TIMEOUT_SECONDS_MAX. */
  INVALID_TIMEOUT,
  /** No hold has the id this post or void names. */
  PENDING_TRANSFER_NOT_FOUND,
  /** The transfer this post or void names is not a hold. */
  PENDING_TRANSFER_NOT_PENDING,
  PENDING_TRANSFER_ALREADY_POSTED,
  PENDING_TRANSFER_ALREADY_VOIDED,
  /** The hold's timeout has passed: it is (or is about to be) released by the expiry job. */
  PENDING_TRANSFER_EXPIRED,
  /** The expiry job asked to expire a hold whose timeout has not passed (never seen by clients). */
  PENDING_TRANSFER_NOT_EXPIRED,
  /** A post asks for more than the hold holds. */
  EXCEEDS_PENDING_TRANSFER_AMOUNT,
  /** Another event of this event's linked chain failed, so none of the chain was applied. */
  LINKED_EVENT_FAILED,
  /** The batch's last event is linked: its chain never ends, so none of it was applied. */
  LINKED_EVENT_CHAIN_OPEN,
  /** No transfer has the id this reversal names. */
  REVERSED_TRANSFER_NOT_FOUND,
  /** The transfer this reversal names posted nothing (a hold, void or expiry) or is a reversal. */
  TRANSFER_NOT_REVERSIBLE,
  /** The transfer's whole amount has already been reversed. */
  TRANSFER_ALREADY_REVERSED,
  /** The reversal asks for more than what is left to reverse of the transfer. */
  EXCEEDS_REVERSIBLE_AMOUNT,
  /** An imported transfer is older than an import already on one of its accounts. */
  IMPORTED_OUT_OF_ORDER,
  /** An imported transfer's historical time is after the ledger's now. */
  IMPORTED_IN_FUTURE,
  /**
   * The event's id is a transfer of a month that is archived: it was applied (ids stay unique
   * across months), but it cannot be compared or answered until the month is restored.
   */
  TRANSFER_ARCHIVED,
  /** An imported transfer's historical time falls in a month that is archived. */
  IMPORTED_INTO_ARCHIVED_MONTH;

  /** Whether the transfer stands after this result. */
  public boolean posted() {
    return this == OK || this == EXISTS;
  }
}
