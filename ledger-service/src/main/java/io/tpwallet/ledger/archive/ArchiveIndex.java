package io.tpwallet.ledger.archive;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The retained index of one archived month: its row counts, id and time range, and where its two
 * files are with their SHA-256 (hex, of the compressed bytes).
 */
public record ArchiveIndex(
    String month,
    long transfers,
    long entries,
    @Nullable UUID firstTransferId,
    @Nullable UUID lastTransferId,
    @Nullable Instant firstCreatedAt,
    @Nullable Instant lastCreatedAt,
    String transfersFile,
    String transfersSha256,
    String entriesFile,
    String entriesSha256,
    Instant archivedAt) {}
