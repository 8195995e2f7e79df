package io.tpwallet.common.event;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** ledger-service has the account (opened now, or before under the same id and fields). */
public record AccountOpened(
    UUID accountId, String asset, String code, @Nullable String ownerRef, Instant openedAt) {}
