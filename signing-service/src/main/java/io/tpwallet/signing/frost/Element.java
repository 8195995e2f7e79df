package io.tpwallet.signing.frost;

import java.math.BigInteger;

/**
 * A group element of a ciphersuite's prime-order group. Implementations are immutable and compare
 * by the point they represent, not by its coordinates.
 */
public interface Element {

  Element add(Element other);

  Element negate();

  default Element subtract(Element other) {
    return add(other.negate());
  }

  /** Scalar multiplication; the scalar is reduced modulo the group order first. */
  Element multiply(BigInteger scalar);

  boolean isIdentity();
}
