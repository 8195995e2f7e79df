package io.tpwallet.signing.frost;

import java.math.BigInteger;

/**
 * One signer's long-lived key material: its secret signing share, its public verifying share, the
 * group's verifying key and the threshold.
 */
public record KeyPackage(
    Identifier identifier,
    BigInteger signingShare,
    Element verifyingShare,
    Element verifyingKey,
    int minSigners) {

  @Override
  public String toString() {
    return "KeyPackage[identifier="
        + identifier
        + ", signingShare=<redacted>, verifyingShare="
        + verifyingShare
        + ", verifyingKey="
        + verifyingKey
        + ", minSigners="
        + minSigners
        + "]";
  }
}
