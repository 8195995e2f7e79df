package io.tpwallet.ledger.chain;

import java.math.BigInteger;
import java.time.Instant;
import java.util.UUID;

/**
 * An entry row as the chain hashes it. Its bigserial id is left out: (transfer, direction) is
 * unique and the id is only known after the insert.
 */
public record ChainedEntry(
    UUID transferId, char direction, UUID accountId, BigInteger amount, Instant createdAt) {}
