package io.tpwallet.common.event;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A command to ledger-service: reverse the posted transfer {@code reversesId} with the new transfer
 * {@code transferId} (the other way; the original never changes), all that is left of it ({@code
 * amount} null) or {@code amount} minor units. Answered with TransferPosted or TransferRejected.
 */
public record TransferReverseRequested(
    UUID transferId, UUID reversesId, @Nullable String amount, String reference) {}
