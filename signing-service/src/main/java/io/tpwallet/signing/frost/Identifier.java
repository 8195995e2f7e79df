package io.tpwallet.signing.frost;

import java.math.BigInteger;

/**
 * A participant's identifier: a non-zero scalar. The platform numbers its signers 1, 2, ...; the
 * scalar form is what the protocol hashes and interpolates with.
 */
public final class Identifier implements Comparable<Identifier> {

  /** The largest identifier {@link #of(int)} accepts, as in ZF frost (a u16). */
  public static final int NUMBER_MAX = 65_535;

  private final BigInteger value;

  private Identifier(BigInteger value) {
    this.value = value;
  }

  public static Identifier of(int number) {
    if (number < 1 || number > NUMBER_MAX) {
      throw new FrostException(
          FrostException.Reason.INVALID_IDENTIFIER,
          "identifier " + number + " outside 1.." + NUMBER_MAX);
    }
    return new Identifier(BigInteger.valueOf(number));
  }

  /** An identifier from its scalar, refusing zero and values not below the group order. */
  public static Identifier ofScalar(Group group, BigInteger scalar) {
    if (scalar.signum() <= 0 || scalar.compareTo(group.order()) >= 0) {
      throw new FrostException(
          FrostException.Reason.INVALID_IDENTIFIER, "identifier must be in 1..order-1");
    }
    return new Identifier(scalar);
  }

  public static Identifier deserialize(Group group, byte[] encoded) {
    return ofScalar(group, group.deserializeScalar(encoded));
  }

  public BigInteger value() {
    return value;
  }

  public byte[] serialize(Group group) {
    return group.serializeScalar(value);
  }

  @Override
  public int compareTo(Identifier other) {
    return value.compareTo(other.value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Identifier other && value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return value.bitLength() <= 31 ? value.toString() : "0x" + value.toString(16);
  }
}
