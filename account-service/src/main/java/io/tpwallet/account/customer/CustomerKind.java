package io.tpwallet.account.customer;

/** What kind of account holder. */
public enum CustomerKind {
  INDIVIDUAL,
  MERCHANT,
  ENTERPRISE,
  /** Part of an enterprise, with limits of its own. */
  SUB_ACCOUNT
}
