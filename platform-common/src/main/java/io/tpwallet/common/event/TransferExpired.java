package io.tpwallet.common.event;

import java.time.Instant;
import java.util.UUID;

/** The hold {@code pendingId} reached its timeout: {@code amount} is released, nothing posted. */
public record TransferExpired(
    UUID transferId,
    UUID pendingId,
    UUID debitAccountId,
    UUID creditAccountId,
    String amount,
    String asset,
    Instant expiredAt) {}
