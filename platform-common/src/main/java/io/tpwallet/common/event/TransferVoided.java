package io.tpwallet.common.event;

import java.time.Instant;
import java.util.UUID;

/** ledger-service voided the hold {@code pendingId}: {@code amount} is released, nothing posted. */
public record TransferVoided(
    UUID transferId,
    UUID pendingId,
    UUID debitAccountId,
    UUID creditAccountId,
    String amount,
    String asset,
    String reference,
    Instant voidedAt) {}
