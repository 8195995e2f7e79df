package io.tpwallet.migration.legacy;

/**
 * Faults real legacy data has, which the generator injects on purpose so that tests can check the
 * migration reports each one instead of hiding it.
 */
public enum Anomaly {
  /** The stored wallet balance differs from the sum of its successful transactions. */
  BALANCE_DRIFT,
  /** An amount with more decimals than its asset has (1.005 USD); the legacy app rounded it. */
  BAD_SCALE,
  /** A second row identical to another except for its primary key. */
  DUPLICATE,
  /** A transaction whose wallet does not exist. */
  ORPHAN
}
