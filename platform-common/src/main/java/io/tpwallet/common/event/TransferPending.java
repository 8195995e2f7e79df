package io.tpwallet.common.event;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * ledger-service placed a hold: {@code amount} is reserved on both accounts until the hold is
 * posted, voided or, at {@code timeoutAt} (null: never), expires.
 */
public record TransferPending(
    UUID transferId,
    UUID debitAccountId,
    UUID creditAccountId,
    String amount,
    String asset,
    String reference,
    @Nullable Instant timeoutAt,
    Instant createdAt) {}
