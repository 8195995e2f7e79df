package io.tpwallet.common.event;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A command from migration-service to account-service: hold legacy user {@code legacyRef} as
 * platform customer {@code customerId} (an id the migration job derives from the legacy key, so a
 * replay names the same customer). Sent again when the legacy row changes; the newest wins. Keyed
 * by {@code customerId}, so a customer's commands and its wallets' arrive in order.
 *
 * @param jobId the migration job that imports the customer
 * @param legacyRef {@code legacy:users:<pk>}
 * @param createdAt the legacy row's creation time, in UTC
 * @param deleted the legacy user is soft-deleted: the customer is held but never made payable
 */
public record LegacyCustomerImportRequested(
    UUID jobId,
    UUID customerId,
    String legacyRef,
    @Nullable String email,
    @Nullable String displayName,
    Instant createdAt,
    boolean deleted) {}
