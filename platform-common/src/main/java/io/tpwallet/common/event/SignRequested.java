package io.tpwallet.common.event;

import java.math.BigInteger;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Command to signing-service: sign {@code message} (hex: a message or a transaction digest) with
 * key {@code keyId} for the payout that {@code asset}, {@code amount} (minor units), {@code
 * destination} and the optional approver signatures describe. {@code requestId} is the idempotency
 * key: the answer is one {@link MessageSigned} or one {@link SignRefused} per request, however
 * often the command arrives.
 */
public record SignRequested(
    UUID requestId,
    String keyId,
    String message,
    String asset,
    BigInteger amount,
    String destination,
    @Nullable List<Approval> approvals) {

  /** One approver's Ed25519 signature (hex) over the request, as the key's policy defines it. */
  public record Approval(String approver, String signature) {}
}
