package io.tpwallet.common.event;

import java.util.UUID;

/**
 * A command to ledger-service: move {@code amount} minor units from the debit account to the credit
 * account. The transfer id is made by the sender and is the idempotency key: the ledger applies a
 * transfer id at most once.
 */
public record TransferRequested(
    UUID transferId,
    UUID debitAccountId,
    UUID creditAccountId,
    String amount,
    String asset,
    String reference) {}
