package io.tpwallet.routing.payment;

/** Where a payment is in its saga. SETTLED, DECLINED and FAILED are final. */
public enum PaymentStatus {
  /** Accepted; risk-service is scoring it. */
  PENDING,
  /** Risk approved; the ledger transfer is requested. */
  APPROVED,
  /** Risk wants a person to look at it; nothing has moved. */
  REVIEW,
  /** The ledger posted the transfer: the money moved. */
  SETTLED,
  /** Risk declined it; nothing moved. */
  DECLINED,
  /** The ledger refused the transfer (for example insufficient funds); nothing moved. */
  FAILED;

  public boolean isFinal() {
    return this == SETTLED || this == DECLINED || this == FAILED;
  }
}
