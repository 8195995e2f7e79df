package io.tpwallet.ledger.transfer;

/**
 * What a transfer row is. SINGLE posts at once; PENDING holds an amount; POST, VOID and EXPIRE each
 * resolve one hold, exactly once, and reference it.
 */
public enum TransferKind {
  SINGLE,
  PENDING,
  POST,
  VOID,
  EXPIRE;

  /** Whether a transfer of this kind moves posted totals (and so has two entries). */
  public boolean posts() {
    return this == SINGLE || this == POST;
  }

  /** Whether a transfer of this kind resolves a hold. */
  public boolean resolves() {
    return this == POST || this == VOID || this == EXPIRE;
  }
}
