package io.tpwallet.ledger.chain;

import java.math.BigInteger;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A transfer row as the chain hashes it: every column of ledger_transfer but batch_id. {@code
 * metadata} is the stored canonical JSON text, or null.
 */
public record ChainedTransfer(
    UUID id,
    String kind,
    UUID debitAccountId,
    UUID creditAccountId,
    BigInteger amount,
    String asset,
    String reference,
    @Nullable UUID pendingId,
    @Nullable UUID reversesId,
    @Nullable String legacyRef,
    @Nullable Instant timeoutAt,
    Instant createdAt,
    @Nullable String metadata) {}
