package io.tpwallet.signing.frost.internal;

import io.tpwallet.signing.frost.Element;
import io.tpwallet.signing.frost.FrostException;
import io.tpwallet.signing.frost.FrostException.Reason;
import io.tpwallet.signing.frost.Group;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * secp256k1 (cofactor 1) from BouncyCastle's custom curve, with SEC 1 compressed 33-byte element
 * encodings and 32-byte big-endian scalars, as RFC 9591 section 6.5 and ZF frost-secp256k1-tr.
 */
public final class Secp256k1Group implements Group {

  public static final Secp256k1Group INSTANCE = new Secp256k1Group();

  private final ECCurve curve;
  private final BigInteger order;
  private final BigInteger fieldPrime;
  private final PointElement generator;
  private final PointElement identity;
  private final FixedPointCombMultiplier baseMultiplier = new FixedPointCombMultiplier();

  private Secp256k1Group() {
    X9ECParameters params = CustomNamedCurves.getByName("secp256k1");
    curve = params.getCurve();
    order = params.getN();
    fieldPrime = curve.getField().getCharacteristic();
    generator = new PointElement(params.getG().normalize());
    identity = new PointElement(curve.getInfinity());
  }

  public BigInteger fieldPrime() {
    return fieldPrime;
  }

  public ECCurve curve() {
    return curve;
  }

  @Override
  public BigInteger order() {
    return order;
  }

  @Override
  public Element identity() {
    return identity;
  }

  @Override
  public Element generator() {
    return generator;
  }

  @Override
  public Element multiplyBase(BigInteger scalar) {
    return new PointElement(baseMultiplier.multiply(generator.point, scalar.mod(order)));
  }

  /**
   * BouncyCastle's multi-scalar multiplication (interleaved wNAF over the GLV endomorphism's
   * half-length scalars) for the terms, the terms with scalar 1 added as they are, and one
   * normalization (field inversion) at the end instead of one per addition and product.
   */
  @Override
  public Element publicLinearCombination(List<Element> elements, List<BigInteger> scalars) {
    if (elements.size() != scalars.size()) {
      throw new IllegalArgumentException("one scalar per element");
    }
    ECPoint direct = curve.getInfinity();
    List<ECPoint> points = new ArrayList<>(elements.size());
    List<BigInteger> ks = new ArrayList<>(elements.size());
    for (int i = 0; i < elements.size(); i++) {
      ECPoint p = ((PointElement) elements.get(i)).point;
      BigInteger k = scalars.get(i).mod(order);
      if (k.signum() == 0 || p.isInfinity()) {
        continue;
      }
      if (k.equals(BigInteger.ONE)) {
        direct = direct.add(p);
      } else {
        points.add(p);
        ks.add(k);
      }
    }
    ECPoint sum =
        points.isEmpty()
            ? direct
            : direct.add(
                ECAlgorithms.sumOfMultiplies(
                    points.toArray(new ECPoint[0]), ks.toArray(new BigInteger[0])));
    return new PointElement(sum.normalize());
  }

  @Override
  public int elementLength() {
    return 33;
  }

  @Override
  public int scalarLength() {
    return 32;
  }

  @Override
  public byte[] serializeElement(Element element) {
    ECPoint p = ((PointElement) element).point;
    if (p.isInfinity()) {
      throw new FrostException(Reason.IDENTITY_ELEMENT, "the identity has no encoding");
    }
    return p.getEncoded(true);
  }

  @Override
  public Element deserializeElement(byte[] encoded) {
    if (encoded.length != 33 || (encoded[0] != 0x02 && encoded[0] != 0x03)) {
      throw new FrostException(
          Reason.MALFORMED_ELEMENT, "a secp256k1 element is 33 bytes, compressed (02 or 03)");
    }
    byte[] xBytes = java.util.Arrays.copyOfRange(encoded, 1, 33);
    if (new BigInteger(1, xBytes).compareTo(fieldPrime) >= 0) {
      throw new FrostException(Reason.MALFORMED_ELEMENT, "non-canonical x coordinate");
    }
    ECPoint p;
    try {
      p = curve.decodePoint(encoded);
    } catch (IllegalArgumentException e) {
      throw new FrostException(Reason.MALFORMED_ELEMENT, "not a point on secp256k1");
    }
    if (p.isInfinity()) {
      throw new FrostException(Reason.IDENTITY_ELEMENT, "the identity is not a valid element");
    }
    // The cofactor is 1: every curve point is in the prime-order group.
    if (!p.isValid()) {
      throw new FrostException(Reason.MALFORMED_ELEMENT, "not a point on secp256k1");
    }
    return new PointElement(p);
  }

  @Override
  public byte[] serializeScalar(BigInteger scalar) {
    return Bytes.toBigEndian(scalar.mod(order), 32);
  }

  @Override
  public BigInteger deserializeScalar(byte[] encoded) {
    if (encoded.length != 32) {
      throw new FrostException(Reason.MALFORMED_SCALAR, "a secp256k1 scalar is 32 bytes");
    }
    BigInteger s = new BigInteger(1, encoded);
    if (s.compareTo(order) >= 0) {
      throw new FrostException(Reason.MALFORMED_SCALAR, "scalar not below the group order");
    }
    return s;
  }

  /** Whether the affine y coordinate is even (BIP-340); the identity counts as even. */
  public boolean hasEvenY(Element element) {
    ECPoint p = ((PointElement) element).point.normalize();
    return p.isInfinity() || !p.getAffineYCoord().toBigInteger().testBit(0);
  }

  /** The 32-byte x coordinate (BIP-340 x-only encoding). */
  public byte[] xOnly(Element element) {
    ECPoint p = ((PointElement) element).point.normalize();
    if (p.isInfinity()) {
      throw new FrostException(Reason.IDENTITY_ELEMENT, "the identity has no x coordinate");
    }
    return p.getAffineXCoord().getEncoded();
  }

  /** A point wrapper so that elements compare by value. */
  static final class PointElement implements Element {
    private final ECPoint point;

    PointElement(ECPoint point) {
      this.point = point;
    }

    @Override
    public Element add(Element other) {
      return new PointElement(point.add(((PointElement) other).point).normalize());
    }

    @Override
    public Element negate() {
      return new PointElement(point.negate().normalize());
    }

    @Override
    public Element multiply(BigInteger scalar) {
      BigInteger k = scalar.mod(INSTANCE.order);
      return new PointElement(point.multiply(k).normalize());
    }

    @Override
    public boolean isIdentity() {
      return point.isInfinity();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PointElement other && point.equals(other.point);
    }

    @Override
    public int hashCode() {
      return point.hashCode();
    }

    @Override
    public String toString() {
      return point.isInfinity()
          ? "Secp256k1Point(identity)"
          : "Secp256k1Point(" + java.util.HexFormat.of().formatHex(point.getEncoded(true)) + ")";
    }
  }
}
