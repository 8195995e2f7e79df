package io.tpwallet.migration.transform;

import io.tpwallet.common.money.Asset;
import io.tpwallet.migration.legacy.LegacyStatus;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Maps one legacy transaction to the ledger transfer it stands for, or to nothing when it moved no
 * money (pending, failed, cancelled, soft-deleted), or refuses it with a reason.
 */
public final class TransactionMapper {

  public static final String TABLE = "transactions";

  private final ZoneId legacyZone;
  private final LegacyIds ids;

  public TransactionMapper(ZoneId legacyZone, LegacyIds ids) {
    this.legacyZone = legacyZone;
    this.ids = ids;
  }

  /** The status a legacy code means; refused when the code is not one the legacy app used. */
  public static LegacyStatus status(LegacyTransaction tx) {
    return LegacyStatus.of(tx.statusCode())
        .orElseThrow(
            () ->
                new Refusal(
                    Refusal.UNKNOWN_STATUS, "legacy status code " + tx.statusCode() + " unknown"));
  }

  /** Whether this row, as it is now, means money moved. */
  public static boolean moved(LegacyTransaction tx) {
    return !tx.deleted()
        && (status(tx) == LegacyStatus.SUCCESS || status(tx) == LegacyStatus.REVERSED);
  }

  /**
   * The transfer of a legacy transaction, whatever its status (the caller decides whether to post
   * it). {@code walletAssets} gives the asset of an existing legacy wallet, or null when there is
   * no such wallet.
   */
  public LedgerCommand command(LegacyTransaction tx, LongFunction<Optional<Asset>> walletAssets) {
    Asset asset =
        walletAssets
            .apply(tx.walletId())
            .orElseThrow(
                () ->
                    new Refusal(
                        Refusal.ORPHAN_WALLET, "wallet " + tx.walletId() + " does not exist"));
    BigInteger amount = Amounts.toPositiveMinor(tx.amount(), asset);
    Instant at = LegacyTime.toUtc(tx.createdAt(), legacyZone);
    String key = LegacyIds.key(TABLE, tx.id());
    java.util.UUID wallet = ids.walletAccount(tx.walletId());
    return switch (tx.kind().trim().toUpperCase(java.util.Locale.ROOT)) {
      case "DEP" ->
          new LedgerCommand(
              key,
              ids.transferId(key),
              ids.externalAccount(asset),
              wallet,
              amount,
              asset,
              at,
              0,
              tx.walletId());
      case "WDR" ->
          new LedgerCommand(
              key,
              ids.transferId(key),
              wallet,
              ids.externalAccount(asset),
              amount,
              asset,
              at,
              tx.walletId(),
              0);
      case "XFER" -> {
        Long counterparty = tx.counterpartyWalletId();
        if (counterparty == null) {
          throw new Refusal(Refusal.ORPHAN_WALLET, "transfer without a counterparty wallet");
        }
        Asset other =
            walletAssets
                .apply(counterparty)
                .orElseThrow(
                    () ->
                        new Refusal(
                            Refusal.ORPHAN_WALLET,
                            "counterparty wallet " + counterparty + " does not exist"));
        if (!other.equals(asset)) {
          throw new Refusal(
              Refusal.CURRENCY_MISMATCH,
              "transfer from a " + asset.code() + " wallet to a " + other.code() + " wallet");
        }
        yield new LedgerCommand(
            key,
            ids.transferId(key),
            wallet,
            ids.walletAccount(counterparty),
            amount,
            asset,
            at,
            tx.walletId(),
            counterparty);
      }
      default -> throw new Refusal(Refusal.UNKNOWN_KIND, "legacy kind '" + tx.kind() + "'");
    };
  }
}
