package io.tpwallet.migration.job;

/** Where a migration job is. */
public enum Phase {
  CREATED,
  /** Opening the ledger accounts of the legacy wallets before any transfer is sent. */
  OPENING_ACCOUNTS,
  /** ledger-service is unreachable: nothing is captured or sent; the runner retries by itself. */
  WAITING_FOR_LEDGER,
  SNAPSHOTTING,
  STREAMING,
  /** Legacy writes are frozen, the runner drains the lag and reconciles before switching. */
  CUTTING_OVER,
  /** The platform is the system of record; legacy writes stay frozen until a rollback. */
  CUT_OVER,
  PAUSED,
  FAILED,
  /**
   * Ended after a switch: nothing is captured any more, the job's slot and publication are gone
   * from the legacy server, legacy stays frozen and a rollback is no longer possible.
   */
  FINISHED,
  /**
   * Ended without a switch: nothing is captured any more, the job's slot and publication are gone,
   * and legacy stays the system of record.
   */
  ABANDONED;

  /** A phase in which the job should be running: resumed by itself after a runner restart. */
  public boolean active() {
    return switch (this) {
      case OPENING_ACCOUNTS, WAITING_FOR_LEDGER, SNAPSHOTTING, STREAMING, CUTTING_OVER, CUT_OVER ->
          true;
      default -> false;
    };
  }

  /** A phase a job never leaves: it cannot be started, resumed, cut over or rolled back. */
  public boolean ended() {
    return this == FINISHED || this == ABANDONED;
  }
}
