package io.tpwallet.common.event;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * migration-service switched a job's legacy wallet over to the platform ({@link #SWITCHED}), or
 * rolled that switch back ({@link #ROLLED_BACK}). On SWITCHED, account-service makes the job's
 * imported wallets payable, except those in {@code walletsHeld} (the ledger could not give them
 * their no-overdraft limit: overdrawn at cutover); on ROLLED_BACK it makes them MIGRATING again.
 * Keyed by {@code jobId}.
 *
 * @param walletsHeld at most {@link #WALLETS_HELD_MAX} wallet ids that stay not payable
 */
public record LegacyCutoverRecorded(
    UUID jobId, String status, List<UUID> walletsHeld, Instant recordedAt) {

  public static final String SWITCHED = "SWITCHED";
  public static final String ROLLED_BACK = "ROLLED_BACK";

  /** The most held wallets one event lists; a cutover with more fails instead. */
  public static final int WALLETS_HELD_MAX = 10_000;

  public LegacyCutoverRecorded {
    if (!SWITCHED.equals(status) && !ROLLED_BACK.equals(status)) {
      throw new IllegalArgumentException("cutover status " + status);
    }
    if (walletsHeld.size() > WALLETS_HELD_MAX) {
      throw new IllegalArgumentException(walletsHeld.size() + " held wallets");
    }
    walletsHeld = List.copyOf(walletsHeld);
  }
}
