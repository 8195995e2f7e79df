package io.tpwallet.common.event;

import java.util.UUID;

/**
 * A command to ledger-service: void the hold {@code pendingId} as the new transfer {@code
 * transferId}. Answered with TransferVoided or TransferRejected.
 */
public record HoldVoidRequested(UUID transferId, UUID pendingId, String reference) {}
