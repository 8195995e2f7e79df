package io.tpwallet.signing.frost;

/**
 * A signer's round-one output: the commitments to its hiding and binding nonces. Neither may be the
 * identity (RFC 9591 section 5.2: an identity commitment would reveal the share).
 */
public record SigningCommitments(Identifier identifier, Element hiding, Element binding) {

  public SigningCommitments {
    if (hiding.isIdentity() || binding.isIdentity()) {
      throw new FrostException(
          FrostException.Reason.IDENTITY_ELEMENT,
          "nonce commitment of signer " + identifier + " is the identity");
    }
  }
}
