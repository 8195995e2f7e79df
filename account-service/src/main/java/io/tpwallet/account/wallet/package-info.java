/**
 * Wallets: one per holder and asset, each backed by a ledger account of the same id that
 * ledger-service opens on a Kafka command; and the limit check of a payment from a wallet.
 */
@NullMarked
package io.tpwallet.account.wallet;

import org.jspecify.annotations.NullMarked;
