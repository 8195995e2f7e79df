/**
 * ledger-service as the migration sees it: opening the ledger accounts the legacy wallets map to
 * (idempotently, with the deterministic ids of {@code LegacyIds}) and reading their balances back
 * for reconciliation, over the ledger's REST API.
 */
@NullMarked
package io.tpwallet.migration.ledger;

import org.jspecify.annotations.NullMarked;
