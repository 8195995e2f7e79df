package io.tpwallet.migration.ledger;

import io.tpwallet.common.money.Asset;
import io.tpwallet.migration.transform.LegacyIds;
import java.util.List;
import java.util.UUID;

/**
 * A ledger account the migration opens: its deterministic id, asset, code, owner reference and
 * flags. The fields depend only on the legacy key and the job's id namespace, so that opening it
 * again (a restart, a second job) sends the same fields and the ledger answers 200 instead of 409.
 *
 * <p>No account gets {@code DEBITS_MUST_NOT_EXCEED_CREDITS}: the migration copies history the
 * legacy wallet already decided, and that history holds overdrafts (balance drifts booked against
 * suspense, reversals of money already spent, refused bad-scale deposits the legacy balance still
 * counts). With the flag the ledger would refuse those facts and the ledger would no longer match
 * legacy. The cutover gives every wallet account the flag once legacy is frozen and reconciled
 * ({@link LedgerLimits}), so that no platform payment overdraws a migrated wallet, and the rollback
 * takes it away again; a wallet overdrawn at cutover cannot get it and is held.
 */
public record AccountSpec(UUID id, Asset asset, String code, String ownerRef, List<String> flags) {

  public static final String WALLET_CODE = "customer";
  public static final String SUSPENSE_CODE = "migration-suspense";
  public static final String EXTERNAL_CODE = "legacy-external";

  public AccountSpec {
    flags = List.copyOf(flags);
  }

  /** The ledger account of legacy wallet {@code walletId}. */
  public static AccountSpec wallet(LegacyIds ids, long walletId, Asset asset) {
    return new AccountSpec(
        ids.walletAccount(walletId),
        asset,
        WALLET_CODE,
        LegacyIds.key("wallets", walletId),
        List.of());
  }

  /** Where opening-balance differences of {@code asset} are booked. */
  public static AccountSpec suspense(LegacyIds ids, Asset asset) {
    return new AccountSpec(
        ids.suspenseAccount(asset),
        asset,
        SUSPENSE_CODE,
        "legacy:suspense:" + asset.code(),
        List.of());
  }

  /** The outside world of the legacy wallet for {@code asset}: deposits in, withdrawals out. */
  public static AccountSpec external(LegacyIds ids, Asset asset) {
    return new AccountSpec(
        ids.externalAccount(asset),
        asset,
        EXTERNAL_CODE,
        "legacy:external:" + asset.code(),
        List.of());
  }
}
