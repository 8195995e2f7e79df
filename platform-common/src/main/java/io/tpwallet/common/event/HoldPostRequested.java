package io.tpwallet.common.event;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A command to ledger-service: post the hold {@code pendingId}, {@code amount} of it (null: all of
 * it), as the new transfer {@code transferId}. Answered with TransferPosted or TransferRejected.
 */
public record HoldPostRequested(
    UUID transferId, UUID pendingId, @Nullable String amount, String reference) {}
