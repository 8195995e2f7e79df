package io.tpwallet.signing.frost;

import static io.tpwallet.signing.frost.FrostSigningTests.assertReason;
import static io.tpwallet.signing.frost.FrostSigningTests.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.signing.frost.FrostException.Reason;
import io.tpwallet.signing.frost.internal.Bytes;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 9591 section 4 input checks on element and scalar encodings, for each group. */
class GroupEncodingTests {

  private final Group ed = Ciphersuites.ED25519_SHA512.group();
  private final Group k1 = Ciphersuites.SECP256K1_SHA256.group();
  private static final BigInteger P25519 =
      BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));

  @Test
  void ed25519RoundTripsAndMatchesKnownPoints() {
    // The base point's standard encoding.
    assertThat(ed.serializeElement(ed.generator()))
        .isEqualTo(hex("5866666666666666666666666666666666666666666666666666666666666666"));
    Random random = new Random(11);
    for (int i = 0; i < 20; i++) {
      BigInteger k = new BigInteger(256, random).mod(ed.order());
      Element p = ed.multiplyBase(k);
      byte[] enc = ed.serializeElement(p);
      assertThat(ed.deserializeElement(enc)).isEqualTo(p);
      assertThat(ed.serializeElement(ed.deserializeElement(enc))).isEqualTo(enc);
      // (a + b) G = aG + bG, and multiplication agrees with repeated addition.
      BigInteger b = BigInteger.valueOf(i + 2);
      assertThat(ed.multiplyBase(k.add(b))).isEqualTo(p.add(ed.multiplyBase(b)));
    }
    assertThat(ed.generator().multiply(ed.order()).isIdentity()).isTrue();
    assertThat(ed.generator().multiply(BigInteger.valueOf(3)))
        .isEqualTo(ed.generator().add(ed.generator()).add(ed.generator()));
  }

  @Test
  void ed25519RefusesIdentityNonCanonicalAndSmallOrderPoints() {
    // The identity (0, 1).
    assertReason(
        () ->
            ed.deserializeElement(
                hex("0100000000000000000000000000000000000000000000000000000000000000")),
        Reason.IDENTITY_ELEMENT);
    assertReason(() -> ed.serializeElement(ed.identity()), Reason.IDENTITY_ELEMENT);
    // (0, -1) has order 2.
    assertReason(
        () ->
            ed.deserializeElement(
                hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")),
        Reason.MALFORMED_ELEMENT);
    // A point of order 8 (from the list of Ed25519 small-order points).
    assertReason(
        () ->
            ed.deserializeElement(
                hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")),
        Reason.MALFORMED_ELEMENT);
    // G + (0, -1) = (-x_G, -y_G) is on the curve but outside the prime-order subgroup.
    byte[] base = ed.serializeElement(ed.generator());
    BigInteger yG = Bytes.fromLittleEndian(base);
    byte[] mixedOrder = Bytes.toLittleEndian(P25519.subtract(yG), 32);
    mixedOrder[31] |= (byte) 0x80; // x_G is even, so -x_G is odd
    assertReason(() -> ed.deserializeElement(mixedOrder), Reason.MALFORMED_ELEMENT);
    byte[] minusG = Bytes.toLittleEndian(yG, 32);
    minusG[31] |= (byte) 0x80;
    assertThat(ed.deserializeElement(minusG)).isEqualTo(ed.generator().negate());
    // y = p + 1 encodes y = 1 non-canonically.
    byte[] nonCanonical = Bytes.toLittleEndian(P25519.add(BigInteger.ONE), 32);
    assertReason(() -> ed.deserializeElement(nonCanonical), Reason.MALFORMED_ELEMENT);
    // x = 0 with the sign bit set is non-canonical.
    assertReason(
        () ->
            ed.deserializeElement(
                hex("0100000000000000000000000000000000000000000000000000000000000080")),
        Reason.MALFORMED_ELEMENT);
    // y = 2 has no x on the curve.
    assertReason(
        () ->
            ed.deserializeElement(
                hex("0200000000000000000000000000000000000000000000000000000000000000")),
        Reason.MALFORMED_ELEMENT);
    assertReason(() -> ed.deserializeElement(new byte[31]), Reason.MALFORMED_ELEMENT);
  }

  @Test
  void scalarsMustBeBelowTheOrder() {
    for (Group g : new Group[] {ed, k1}) {
      BigInteger max = g.order().subtract(BigInteger.ONE);
      assertThat(g.deserializeScalar(g.serializeScalar(max))).isEqualTo(max);
      byte[] order =
          g == ed ? Bytes.toLittleEndian(g.order(), 32) : Bytes.toBigEndian(g.order(), 32);
      assertReason(() -> g.deserializeScalar(order), Reason.MALFORMED_SCALAR);
      byte[] ones = new byte[32];
      java.util.Arrays.fill(ones, (byte) 0xff);
      assertReason(() -> g.deserializeScalar(ones), Reason.MALFORMED_SCALAR);
      assertReason(() -> g.deserializeScalar(new byte[33]), Reason.MALFORMED_SCALAR);
    }
  }

  @Test
  void secp256k1RefusesIdentityNonCanonicalAndOffCurvePoints() {
    byte[] g = k1.serializeElement(k1.generator());
    assertThat(g)
        .isEqualTo(hex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"));
    assertThat(k1.deserializeElement(g)).isEqualTo(k1.generator());
    assertReason(() -> k1.serializeElement(k1.identity()), Reason.IDENTITY_ELEMENT);
    // SEC 1 identity (a single zero byte), and zero padding to 33 bytes.
    assertReason(() -> k1.deserializeElement(new byte[] {0}), Reason.MALFORMED_ELEMENT);
    assertReason(() -> k1.deserializeElement(new byte[33]), Reason.MALFORMED_ELEMENT);
    // Uncompressed encodings are not the canonical form.
    byte[] uncompressed =
        ((io.tpwallet.signing.frost.internal.Secp256k1Group) k1)
            .curve()
            .getInfinity()
            .getCurve()
            .decodePoint(g)
            .getEncoded(false);
    assertReason(() -> k1.deserializeElement(uncompressed), Reason.MALFORMED_ELEMENT);
    // x >= p.
    byte[] big = new byte[33];
    big[0] = 0x02;
    java.util.Arrays.fill(big, 1, 33, (byte) 0xff);
    assertReason(() -> k1.deserializeElement(big), Reason.MALFORMED_ELEMENT);
    // x = 5: 125 + 7 = 132 is not a square mod p, so no point.
    byte[] off = new byte[33];
    off[0] = 0x02;
    off[32] = 5;
    assertReason(() -> k1.deserializeElement(off), Reason.MALFORMED_ELEMENT);
    byte[] badPrefix = g.clone();
    badPrefix[0] = 0x05;
    assertReason(() -> k1.deserializeElement(badPrefix), Reason.MALFORMED_ELEMENT);
  }

  @Test
  void signatureDecodingAppliesTheSameChecks() {
    Ciphersuite tr = Ciphersuites.SECP256K1_SHA256_TR;
    byte[] sig = new byte[64];
    java.util.Arrays.fill(sig, 32, 64, (byte) 0xff);
    assertThat(tr.verify("m".getBytes(), sig, tr.group().generator())).isFalse();
    assertThat(Ciphersuites.ED25519_SHA512.verify("m".getBytes(), new byte[64], ed.generator()))
        .isFalse();
  }
}
