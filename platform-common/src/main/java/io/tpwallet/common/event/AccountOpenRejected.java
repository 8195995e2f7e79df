package io.tpwallet.common.event;

import java.util.UUID;

/**
 * ledger-service did not open the account: {@code reason} is {@code UNKNOWN_ASSET}, {@code
 * INVALID_ACCOUNT} or {@code EXISTS_WITH_DIFFERENT_FIELDS} (the id is taken by another account).
 */
public record AccountOpenRejected(UUID accountId, String reason, String detail) {}
