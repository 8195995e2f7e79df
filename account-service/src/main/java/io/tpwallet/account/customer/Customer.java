package io.tpwallet.account.customer;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An account holder as the API shows it.
 *
 * @param kycTier L0, L1 or L2
 * @param limits a sub-account's own limits, on top of its tier's; null otherwise
 * @param legacyRef {@code legacy:users:<pk>} of a customer a migration job imported; null for one
 *     made on the platform
 */
public record Customer(
    UUID id,
    CustomerKind kind,
    @Nullable UUID parentId,
    String displayName,
    @Nullable String email,
    String kycTier,
    @Nullable OwnLimits limits,
    Instant createdAt,
    @Nullable String legacyRef) {

  /** A sub-account's limits, in minor units of {@code asset}, as strings. */
  public record OwnLimits(String asset, String perTransaction, String perDay) {}
}
