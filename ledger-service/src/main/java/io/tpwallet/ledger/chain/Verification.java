package io.tpwallet.ledger.chain;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of verifying the chain: ok, or the first broken batch and why. {@code brokenSeq} is
 * null when the break is a transfer whose batch has no link at all.
 */
public record Verification(
    boolean ok,
    long batches,
    long transfers,
    long entries,
    long preChainTransfers,
    @Nullable String headHash,
    @Nullable Long brokenSeq,
    @Nullable UUID brokenBatchId,
    @Nullable String reason) {}
