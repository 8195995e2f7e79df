package io.tpwallet.signing.frost;

import java.util.List;

/**
 * A refused input or a failed check of the protocol. {@link #culprits()} names the participants
 * whose data failed (blame), where the failure can be attributed.
 */
public final class FrostException extends RuntimeException {

  /** Why the operation was refused; stable, so that callers can map it to a problem type. */
  public enum Reason {
    MALFORMED_ELEMENT,
    IDENTITY_ELEMENT,
    MALFORMED_SCALAR,
    INVALID_IDENTIFIER,
    DUPLICATE_IDENTIFIER,
    UNKNOWN_IDENTIFIER,
    UNSORTED_COMMITMENTS,
    MISSING_COMMITMENT,
    INCORRECT_COMMITMENT,
    INVALID_SIGNER_COUNT,
    NONCES_ALREADY_USED,
    INVALID_SIGNATURE_SHARE,
    INVALID_SIGNATURE,
    INVALID_PROOF_OF_KNOWLEDGE,
    INVALID_SECRET_SHARE,
    INCORRECT_PACKAGES,
    ECHO_MISMATCH,
  }

  private final Reason reason;
  private final List<Identifier> culprits;

  public FrostException(Reason reason, String message) {
    this(reason, message, List.of());
  }

  public FrostException(Reason reason, String message, List<Identifier> culprits) {
    super(reason + ": " + message + (culprits.isEmpty() ? "" : " (culprits " + culprits + ")"));
    this.reason = reason;
    this.culprits = List.copyOf(culprits);
  }

  public Reason reason() {
    return reason;
  }

  public List<Identifier> culprits() {
    return culprits;
  }
}
