package io.tpwallet.ledger.account;

/** A limit the ledger keeps on an account's posted totals, checked by every posting. */
public enum AccountFlag {
  /** Debits may not pass credits: a customer wallet that cannot go negative. */
  DEBITS_MUST_NOT_EXCEED_CREDITS,
  /** Credits may not pass debits: e.g. a liability that may not be over-repaid. */
  CREDITS_MUST_NOT_EXCEED_DEBITS
}
