package io.tpwallet.account.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.event.LegacyCutoverRecorded;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The one rule that places an imported wallet, from its command, holder and job's cutover. */
class LegacyWalletStateTests {

  static final UUID WALLET = UUID.fromString("0190c0de-0000-7000-8000-000000000001");
  static final UUID OTHER = UUID.fromString("0190c0de-0000-7000-8000-000000000002");
  static final LegacyWalletState.Cutover SWITCHED =
      new LegacyWalletState.Cutover(LegacyCutoverRecorded.SWITCHED, Set.of());
  static final LegacyWalletState.Cutover SWITCHED_HOLDING =
      new LegacyWalletState.Cutover(LegacyCutoverRecorded.SWITCHED, Set.of(WALLET));
  static final LegacyWalletState.Cutover ROLLED_BACK =
      new LegacyWalletState.Cutover(LegacyCutoverRecorded.ROLLED_BACK, Set.of());

  static LegacyWalletState fresh(LegacyWalletState.Cutover cutover) {
    return LegacyWalletState.of(WALLET, null, false, false, null, "USD", cutover);
  }

  @Test
  void aNewWalletIsMigratingUntilItsJobSwitchesAndHeldWhenTheSwitchListsIt() {
    assertThat(fresh(null)).isEqualTo(LegacyWalletState.MIGRATING);
    assertThat(fresh(SWITCHED)).isEqualTo(LegacyWalletState.ACTIVE);
    assertThat(fresh(SWITCHED_HOLDING).status()).isEqualTo(Wallet.HELD);
    assertThat(fresh(SWITCHED_HOLDING).reason()).isEqualTo("overdrawn at cutover");
    assertThat(fresh(ROLLED_BACK)).isEqualTo(LegacyWalletState.MIGRATING);
  }

  @Test
  void aDeletedOrSecondWalletIsHeldWhateverTheCutoverSays() {
    for (LegacyWalletState.Cutover cutover :
        java.util.Arrays.asList(null, SWITCHED, SWITCHED_HOLDING, ROLLED_BACK)) {
      var deleted = LegacyWalletState.of(WALLET, null, true, false, null, "USD", cutover);
      assertThat(deleted.heldFor()).isEqualTo(LegacyWalletState.LEGACY_DELETED);
      assertThat(deleted.reason()).isEqualTo("legacy wallet deleted");
      var holderDeleted = LegacyWalletState.of(WALLET, null, false, true, null, "USD", cutover);
      assertThat(holderDeleted.reason()).isEqualTo("legacy user deleted");
      var second = LegacyWalletState.of(WALLET, null, false, false, OTHER, "EUR", cutover);
      assertThat(second.heldFor()).isEqualTo(LegacyWalletState.LEGACY_DUPLICATE);
      assertThat(second.reason())
          .isEqualTo("second legacy EUR wallet of the holder; " + OTHER + " is its wallet");
    }
  }

  @Test
  void aRollbackKeepsAnOverdrawnWalletHeldAndALaterSwitchReleasesIt() {
    LegacyWalletState overdrawn = LegacyWalletState.OVERDRAWN;
    assertThat(LegacyWalletState.ofCutover(WALLET, overdrawn, ROLLED_BACK)).isEqualTo(overdrawn);
    assertThat(LegacyWalletState.ofCutover(WALLET, overdrawn, SWITCHED))
        .isEqualTo(LegacyWalletState.ACTIVE);
    assertThat(LegacyWalletState.ofCutover(WALLET, LegacyWalletState.ACTIVE, ROLLED_BACK))
        .isEqualTo(LegacyWalletState.MIGRATING);
  }

  /**
   * Over generated histories of commands and cutovers: a wallet is ACTIVE only under a SWITCHED
   * that does not list it, and only if neither it nor its holder was ever deleted; held for good
   * stays held for good.
   */
  @Test
  void noHistoryMakesAHeldForGoodOrUnswitchedWalletPayable() {
    long seed = Long.getLong("seed", System.nanoTime());
    Random random = new Random(seed);
    List<LegacyWalletState.Cutover> cutovers =
        java.util.Arrays.asList(null, SWITCHED, SWITCHED_HOLDING, ROLLED_BACK);
    for (int run = 0; run < 2_000; run++) {
      LegacyWalletState state = null;
      boolean everDeleted = false;
      boolean duplicate = random.nextInt(5) == 0;
      for (int step = 0; step < 8; step++) {
        boolean deleted = random.nextInt(6) == 0;
        boolean holderDeleted = random.nextInt(8) == 0;
        LegacyWalletState.Cutover cutover = cutovers.get(random.nextInt(cutovers.size()));
        boolean wasHeldForGood = state != null && state.heldForGood();
        state =
            LegacyWalletState.of(
                WALLET,
                state,
                deleted,
                holderDeleted,
                state == null && duplicate ? OTHER : null,
                "USD",
                cutover);
        everDeleted |= deleted || holderDeleted;
        String replay = "seed " + seed + " (replay: -Dseed=" + seed + "), run " + run;
        if (wasHeldForGood || everDeleted || duplicate) {
          assertThat(state.heldForGood()).as(replay).isTrue();
        }
        if (Wallet.ACTIVE.equals(state.status())) {
          assertThat(cutover).as(replay).isEqualTo(SWITCHED);
        }
      }
    }
  }
}
