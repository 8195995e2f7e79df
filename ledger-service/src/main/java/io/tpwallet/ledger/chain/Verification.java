package io.tpwallet.ledger.chain;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of verifying the chain: ok, or the first broken batch and why. {@code brokenSeq} is
 * null when the break is a transfer whose batch has no link at all. {@code transfers} and {@code
 * entries} are the rows rehashed; rows of archived months are not in the database and their batches
 * ({@code archivedBatches}, with {@code archivedTransfers} and {@code archivedEntries} rows, in the
 * months {@code archivedMonths}) were checked against the archive index instead.
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
    @Nullable String reason,
    List<String> archivedMonths,
    long archivedBatches,
    long archivedTransfers,
    long archivedEntries) {}
