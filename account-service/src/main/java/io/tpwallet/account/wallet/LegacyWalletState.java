package io.tpwallet.account.wallet;

import io.tpwallet.common.event.LegacyCutoverRecorded;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The state of an imported wallet: its status and, when HELD, for what and why. One rule decides it
 * from the wallet's import command, its holder and its job's latest cutover record, so that the
 * same facts give the same state whichever of the three arrived first.
 */
record LegacyWalletState(String status, @Nullable String heldFor, @Nullable String reason) {

  /** The legacy wallet or its user is soft-deleted: held for good. */
  static final String LEGACY_DELETED = "LEGACY_DELETED";

  /** A second legacy wallet of one asset of one holder: held for good. */
  static final String LEGACY_DUPLICATE = "LEGACY_DUPLICATE";

  /** Listed in a cutover's walletsHeld: a later SWITCHED of the job looks at it again. */
  static final String CUTOVER_OVERDRAWN = "CUTOVER_OVERDRAWN";

  static final String OVERDRAWN_AT_CUTOVER = "overdrawn at cutover";

  /**
   * SQL: the wallet counts as its holder's one wallet of its asset (index wallet_holder_asset): not
   * one held for good, a deleted or a second legacy wallet.
   */
  static final String COUNTED_FOR_ASSET =
      "(held_for is null or held_for = '" + CUTOVER_OVERDRAWN + "')";

  static final LegacyWalletState MIGRATING = new LegacyWalletState(Wallet.MIGRATING, null, null);
  static final LegacyWalletState ACTIVE = new LegacyWalletState(Wallet.ACTIVE, null, null);
  static final LegacyWalletState OVERDRAWN =
      new LegacyWalletState(Wallet.HELD, CUTOVER_OVERDRAWN, OVERDRAWN_AT_CUTOVER);

  LegacyWalletState {
    if (Wallet.HELD.equals(status) != (heldFor != null)) {
      throw new IllegalStateException(status + " held for " + heldFor);
    }
  }

  /** A job's latest cutover record, as account-service keeps it. */
  record Cutover(String status, Set<UUID> walletsHeld) {
    boolean switched() {
      return LegacyCutoverRecorded.SWITCHED.equals(status);
    }
  }

  boolean heldForGood() {
    return LEGACY_DELETED.equals(heldFor) || LEGACY_DUPLICATE.equals(heldFor);
  }

  /**
   * The state of wallet {@code walletId} after an import command.
   *
   * @param current its state before, null for a new wallet
   * @param duplicateOf the holder's wallet of the same asset that counts already (a new wallet
   *     only), or null
   * @param cutover its job's latest cutover record, or null before the first
   */
  static LegacyWalletState of(
      UUID walletId,
      @Nullable LegacyWalletState current,
      boolean walletDeleted,
      boolean holderDeleted,
      @Nullable UUID duplicateOf,
      String asset,
      @Nullable Cutover cutover) {
    if (current != null && current.heldForGood()) {
      return current;
    }
    if (walletDeleted) {
      return new LegacyWalletState(Wallet.HELD, LEGACY_DELETED, "legacy wallet deleted");
    }
    if (holderDeleted) {
      return new LegacyWalletState(Wallet.HELD, LEGACY_DELETED, "legacy user deleted");
    }
    if (duplicateOf != null) {
      return new LegacyWalletState(
          Wallet.HELD,
          LEGACY_DUPLICATE,
          "second legacy " + asset + " wallet of the holder; " + duplicateOf + " is its wallet");
    }
    return ofCutover(walletId, current, cutover);
  }

  /**
   * What a cutover record makes of a wallet that is not held for good: SWITCHED makes it ACTIVE, or
   * HELD when listed in walletsHeld; ROLLED_BACK makes an ACTIVE one MIGRATING again and leaves a
   * HELD one held. The set-based update of a cutover follows the same rule.
   */
  static LegacyWalletState ofCutover(
      UUID walletId, @Nullable LegacyWalletState current, @Nullable Cutover cutover) {
    if (cutover == null) {
      return MIGRATING;
    }
    if (cutover.switched()) {
      return cutover.walletsHeld().contains(walletId) ? OVERDRAWN : ACTIVE;
    }
    return current != null && CUTOVER_OVERDRAWN.equals(current.heldFor()) ? current : MIGRATING;
  }
}
