package io.tpwallet.signing.frost;

import java.math.BigInteger;
import java.util.List;

/**
 * The prime-order group of a ciphersuite with the canonical encodings of RFC 9591 section 4: every
 * deserialization applies the RFC's input checks and throws {@link FrostException} on bad input.
 */
public interface Group {

  /** The order of the prime-order (sub)group; scalars live modulo this. */
  BigInteger order();

  Element identity();

  Element generator();

  default Element multiplyBase(BigInteger scalar) {
    return generator().multiply(scalar);
  }

  /**
   * The sum of {@code scalars[i] * elements[i]} (each scalar reduced modulo the order), in variable
   * time: <strong>for public scalars and elements only</strong> (binding factors, challenges,
   * commitments, keys, signatures), never a nonce or a share. A group overrides it with a
   * multi-scalar multiplication that shares the doublings of all terms; this default is the plain
   * sum of products the overrides are tested against.
   */
  default Element publicLinearCombination(List<Element> elements, List<BigInteger> scalars) {
    if (elements.size() != scalars.size()) {
      throw new IllegalArgumentException("one scalar per element");
    }
    Element sum = identity();
    for (int i = 0; i < elements.size(); i++) {
      sum = sum.add(elements.get(i).multiply(scalars.get(i)));
    }
    return sum;
  }

  int elementLength();

  int scalarLength();

  /** Canonical encoding; the identity has none and is refused. */
  byte[] serializeElement(Element element);

  /**
   * Decodes a canonical encoding and refuses the identity, non-canonical encodings, points off the
   * curve and points outside the prime-order subgroup.
   */
  Element deserializeElement(byte[] encoded);

  byte[] serializeScalar(BigInteger scalar);

  /** Decodes a canonical scalar encoding; refuses values greater than or equal to the order. */
  BigInteger deserializeScalar(byte[] encoded);

  /** A uniformly random non-zero scalar. */
  default BigInteger randomNonZeroScalar(RandomSource random) {
    byte[] wide = new byte[scalarLength() + 32];
    try {
      while (true) {
        random.nextBytes(wide);
        BigInteger k = new BigInteger(1, wide).mod(order());
        if (k.signum() != 0) {
          return k;
        }
      }
    } finally {
      java.util.Arrays.fill(wide, (byte) 0);
    }
  }
}
