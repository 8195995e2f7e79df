package io.tpwallet.common.event;

import java.time.Instant;
import java.util.UUID;

/**
 * A ledger account's limit was set or cleared (one event per account that changed, keyed by account
 * id, so that it stays in order with the account's {@link BalanceChanged}). {@code limit} is the
 * flag's name ({@code DEBITS_MUST_NOT_EXCEED_CREDITS} or {@code CREDITS_MUST_NOT_EXCEED_DEBITS});
 * {@code changeId} names the row of the account's limit history.
 */
public record AccountLimitChanged(
    UUID changeId, UUID accountId, String limit, boolean set, String reason, Instant changedAt) {}
