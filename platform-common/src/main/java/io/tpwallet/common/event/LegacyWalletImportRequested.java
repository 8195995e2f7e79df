package io.tpwallet.common.event;

import java.util.UUID;

/**
 * A command from migration-service to account-service: hold legacy wallet {@code legacyRef} as
 * wallet {@code walletId} of customer {@code customerId}. The wallet id is the id of the ledger
 * account the migration already opened and posts the wallet's history to; the wallet stays
 * MIGRATING (not payable) until its job's cutover ({@link LegacyCutoverRecorded}). Keyed by {@code
 * customerId}, after the customer's own command.
 *
 * @param legacyRef {@code legacy:wallets:<pk>}
 * @param deleted the legacy wallet is soft-deleted: held, never made payable
 */
public record LegacyWalletImportRequested(
    UUID jobId, UUID walletId, UUID customerId, String asset, String legacyRef, boolean deleted) {}
