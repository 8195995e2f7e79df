package io.tpwallet.signing.frost;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * A signer's secret nonces for exactly one signing session. They live only in memory: {@link
 * Frost#sign} consumes them (the arrays are wiped) whether or not signing succeeds, and a second
 * use is refused, because two signature shares under the same nonces reveal the signing share.
 * There is deliberately no serialization.
 */
public final class SigningNonces {

  private final Identifier identifier;
  private final SigningCommitments commitments;
  private byte[] hiding;
  private byte[] binding;
  private boolean consumed;

  SigningNonces(
      Identifier identifier,
      BigInteger hiding,
      BigInteger binding,
      SigningCommitments commitments) {
    this.identifier = identifier;
    this.commitments = commitments;
    this.hiding = hiding.toByteArray();
    this.binding = binding.toByteArray();
  }

  public Identifier identifier() {
    return identifier;
  }

  public SigningCommitments commitments() {
    return commitments;
  }

  public synchronized boolean isConsumed() {
    return consumed;
  }

  /** Hands out the two nonces once and wipes this holder; a second call throws. */
  synchronized BigInteger[] consume() {
    if (consumed) {
      throw new FrostException(
          FrostException.Reason.NONCES_ALREADY_USED,
          "signing nonces of signer " + identifier + " were already used");
    }
    consumed = true;
    BigInteger[] out = {new BigInteger(hiding), new BigInteger(binding)};
    wipe();
    return out;
  }

  /** Discards unused nonces, as when a session is abandoned. */
  public synchronized void destroy() {
    consumed = true;
    wipe();
  }

  private void wipe() {
    Arrays.fill(hiding, (byte) 0);
    Arrays.fill(binding, (byte) 0);
    hiding = new byte[0];
    binding = new byte[0];
  }

  /** For the published vectors only: the nonces without consuming them. */
  BigInteger[] peekForVectors() {
    if (consumed) {
      throw new FrostException(FrostException.Reason.NONCES_ALREADY_USED, "nonces consumed");
    }
    return new BigInteger[] {new BigInteger(hiding), new BigInteger(binding)};
  }

  @Override
  public String toString() {
    return "SigningNonces[" + identifier + ", <redacted>" + (consumed ? ", consumed]" : "]");
  }
}
