package io.tpwallet.signing.frost;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * RFC 9591 Appendix C trusted-dealer key generation (Shamir with Feldman commitments). The platform
 * never uses a dealer for real keys, since the dealer holds the whole key; this exists for the
 * published vectors and for tests. Real keys come from {@link Dkg}.
 */
public final class TrustedDealer {

  /** The dealt key material, and the commitment to the dealer's polynomial (for VSS checks). */
  public record DealtKeys(
      SortedMap<Identifier, KeyPackage> keyPackages,
      PublicKeyPackage publicKeyPackage,
      List<Element> commitment) {}

  private TrustedDealer() {}

  /**
   * Splits {@code secret} with the given higher coefficients (a_1 .. a_{t-1}) for identifiers 1 to
   * {@code maxSigners}, exactly as the RFC vectors do; no post-keygen tweak is applied.
   */
  public static DealtKeys split(
      Ciphersuite suite,
      BigInteger secret,
      List<BigInteger> coefficients,
      int maxSigners,
      int minSigners) {
    Polynomial.checkSigners(minSigners, maxSigners);
    Group group = suite.group();
    if (coefficients.size() != minSigners - 1) {
      throw new FrostException(
          FrostException.Reason.INVALID_SIGNER_COUNT,
          "need " + (minSigners - 1) + " coefficients for threshold " + minSigners);
    }
    if (secret.signum() <= 0 || secret.compareTo(group.order()) >= 0) {
      throw new FrostException(FrostException.Reason.MALFORMED_SCALAR, "secret out of range");
    }
    List<BigInteger> poly = new ArrayList<>();
    poly.add(secret);
    poly.addAll(coefficients);
    List<Element> commitment = Polynomial.commit(group, poly);
    Element verifyingKey = commitment.get(0);
    SortedMap<Identifier, KeyPackage> keys = new TreeMap<>();
    Map<Identifier, Element> verifyingShares = new TreeMap<>();
    for (int i = 1; i <= maxSigners; i++) {
      Identifier id = Identifier.of(i);
      BigInteger share = Polynomial.evaluate(poly, id.value(), group.order());
      Element verifyingShare = group.multiplyBase(share);
      keys.put(id, new KeyPackage(id, share, verifyingShare, verifyingKey, minSigners));
      verifyingShares.put(id, verifyingShare);
    }
    return new DealtKeys(
        keys, PublicKeyPackage.of(verifyingShares, verifyingKey, minSigners), commitment);
  }

  /** A fresh random key, split, then post-processed as after a DKG (Taproot: tweaked). */
  public static DealtKeys generate(
      Ciphersuite suite, int maxSigners, int minSigners, RandomSource random) {
    Group group = suite.group();
    BigInteger secret = group.randomNonZeroScalar(random);
    List<BigInteger> coefficients = new ArrayList<>();
    for (int i = 1; i < minSigners; i++) {
      coefficients.add(group.randomNonZeroScalar(random));
    }
    DealtKeys raw = split(suite, secret, coefficients, maxSigners, minSigners);
    SortedMap<Identifier, KeyPackage> keys = new TreeMap<>();
    raw.keyPackages().forEach((id, k) -> keys.put(id, suite.postKeygen(k)));
    return new DealtKeys(keys, suite.postKeygen(raw.publicKeyPackage()), raw.commitment());
  }

  /** Checks a dealt share against the dealer's commitment (RFC 9591 vss_verify). */
  public static boolean verifyShare(Group group, KeyPackage keyPackage, List<Element> commitment) {
    Element expected =
        Polynomial.evaluateCommitment(group, commitment, keyPackage.identifier().value());
    return group.multiplyBase(keyPackage.signingShare()).equals(expected);
  }
}
