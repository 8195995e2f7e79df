package io.tpwallet.migration.transform;

import io.tpwallet.common.money.Asset;
import java.math.BigInteger;
import java.time.Instant;
import java.util.UUID;

/**
 * One ledger transfer the migration asks for. {@code walletId} and {@code counterpartyWalletId} (0
 * for none) are the legacy wallets it moves, for reconciliation per wallet.
 */
public record LedgerCommand(
    String idempotencyKey,
    UUID transferId,
    UUID debitAccountId,
    UUID creditAccountId,
    BigInteger amountMinor,
    Asset asset,
    Instant occurredAt,
    long debitWalletId,
    long creditWalletId) {

  public LedgerCommand {
    if (amountMinor.signum() <= 0) {
      throw new IllegalArgumentException("a ledger command moves a positive amount");
    }
    if (debitAccountId.equals(creditAccountId)) {
      throw new IllegalArgumentException("debit and credit account are the same");
    }
  }

  /** The same transfer the other way round, under its own key: undoes a reversed legacy row. */
  public LedgerCommand reversal(LegacyIds ids, String key, Instant at) {
    return new LedgerCommand(
        key,
        ids.transferId(key),
        creditAccountId,
        debitAccountId,
        amountMinor,
        asset,
        at,
        creditWalletId,
        debitWalletId);
  }
}
