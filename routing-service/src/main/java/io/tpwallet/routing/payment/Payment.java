package io.tpwallet.routing.payment;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A payment as clients see it: its parties, amount, where it is and how it got there; {@code
 * ownerId} is the account holder it was made for (null when made with authentication off).
 */
public record Payment(
    UUID id,
    PaymentStatus status,
    UUID payerAccountId,
    UUID payeeAccountId,
    String amount,
    String asset,
    @Nullable String reference,
    @Nullable String reason,
    Instant createdAt,
    Instant updatedAt,
    @Nullable UUID ownerId,
    List<Step> history) {

  /** One status the payment entered, when, and why. */
  public record Step(PaymentStatus status, Instant at, @Nullable String reason) {}
}
