package io.tpwallet.common.event;

import java.time.Instant;
import java.util.UUID;

/**
 * An account's totals after a committed batch (one event per account per batch, keyed by account
 * id). {@code balance} is credits minus debits posted; amounts are strings of minor units.
 */
public record BalanceChanged(
    UUID accountId,
    String asset,
    String debitsPosted,
    String creditsPosted,
    String debitsPending,
    String creditsPending,
    String balance,
    Instant changedAt) {}
