package io.tpwallet.common.event;

import java.util.UUID;

/**
 * A command to ledger-service: hold {@code amount} minor units on the debit account for the credit
 * account, released after {@code timeoutSeconds} (0: never) unless posted or voided first. The
 * transfer id is the idempotency key. Answered with TransferPending or TransferRejected.
 */
public record HoldRequested(
    UUID transferId,
    UUID debitAccountId,
    UUID creditAccountId,
    String amount,
    String asset,
    String reference,
    long timeoutSeconds) {}
