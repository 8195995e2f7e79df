package io.tpwallet.signing.frost.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.signing.frost.FrostException;
import io.tpwallet.signing.frost.FrostException.Reason;
import io.tpwallet.signing.frost.internal.Ed25519Group.Point;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The halving subgroup check of {@link Ed25519Group#inPrimeOrderSubgroup} against the definition,
 * [L]P = O, computed here by plain double-and-add (not the group's windowed code): on prime-order
 * points, on each of them plus every one of the eight small-order points (orders q, 2q, 4q, 8q), on
 * random curve points, on the small-order points themselves, and through {@link
 * Ed25519Group#deserializeElement} on their encodings and on non-canonical ones. A seeded loop;
 * replay with {@code -Dsubgroup.seed=...}.
 */
class Ed25519SubgroupCheckTests {

  private static final Ed25519Group ED = Ed25519Group.INSTANCE;
  private static final int ROUNDS = 1_500;

  @Test
  void halvingCheckAgreesWithMultiplicationByTheOrder() {
    SeededLoop.run("subgroup.seed", Ed25519SubgroupCheckTests::run);
  }

  private static void run(Random random) {
    List<Point> torsion = smallOrderPoints(random);
    for (int round = 0; round < ROUNDS; round++) {
      Point prime = (Point) ED.multiplyBase(new BigInteger(256, random).mod(Ed25519Group.L));
      for (int j = 0; j < torsion.size(); j++) {
        Point p = prime.add(torsion.get(j));
        boolean inSubgroup = checkAgrees(p);
        assertThat(inSubgroup).as("kB + %d T8", j).isEqualTo(j == 0);
      }
      Point any = randomCurvePoint(random);
      if (any != null) {
        checkAgrees(any);
      }
    }
  }

  /** The order of j T8 for a point T8 of order 8. */
  private static int orderOf(int j) {
    return j == 0 ? 1 : 8 / Integer.lowestOneBit(j);
  }

  @Test
  void smallOrderPointsAreRefused() {
    List<Point> torsion = smallOrderPoints(new Random(5));
    Set<String> encodings = new HashSet<>();
    for (int j = 1; j < 8; j++) {
      Point t = torsion.get(j);
      // j T8 has order 8 / gcd(j, 8): kB + j T8 above has order q, 2q, 4q or 8q.
      assertThat(multiplyPlain(t, BigInteger.valueOf(orderOf(j))).isIdentity()).isTrue();
      assertThat(multiplyPlain(t, BigInteger.valueOf(orderOf(j) / 2)).isIdentity()).isFalse();
      encodings.add(HexFormat.of().formatHex(t.encode()));
      assertThat(checkAgrees(t)).isFalse();
      assertThatThrownBy(() -> ED.deserializeElement(t.encode()))
          .isInstanceOf(FrostException.class)
          .extracting(e -> ((FrostException) e).reason())
          .isEqualTo(Reason.MALFORMED_ELEMENT);
    }
    // Seven distinct points, among them (0, -1) of order 2 and (x, 0) of order 4.
    assertThat(encodings)
        .hasSize(7)
        .contains(
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0000000000000000000000000000000000000000000000000000000000000000");
  }

  @Test
  void identityAndNonCanonicalEncodingsAreRefused() {
    byte[] identity = new byte[32];
    identity[0] = 1;
    assertReason(identity, Reason.IDENTITY_ELEMENT);
    // y >= p: p + i for every i < 19 (the encodings of y = 0 .. 18 once more), either sign.
    BigInteger p = Ed25519Group.P;
    for (int i = 0; i < 19; i++) {
      for (int sign = 0; sign < 2; sign++) {
        byte[] enc = Bytes.toLittleEndian(p.add(BigInteger.valueOf(i)), 32);
        enc[31] |= (byte) (sign << 7);
        assertReason(enc, Reason.MALFORMED_ELEMENT);
      }
    }
    // x = 0 with the sign bit set: the identity and (0, -1) written with "x odd".
    byte[] negativeZeroIdentity = identity.clone();
    negativeZeroIdentity[31] |= (byte) 0x80;
    assertReason(negativeZeroIdentity, Reason.MALFORMED_ELEMENT);
    byte[] negativeZeroOrderTwo = Bytes.toLittleEndian(p.subtract(BigInteger.ONE), 32);
    negativeZeroOrderTwo[31] |= (byte) 0x80;
    assertReason(negativeZeroOrderTwo, Reason.MALFORMED_ELEMENT);
  }

  private static void assertReason(byte[] encoded, Reason reason) {
    assertThatThrownBy(() -> ED.deserializeElement(encoded))
        .isInstanceOf(FrostException.class)
        .extracting(e -> ((FrostException) e).reason())
        .isEqualTo(reason);
  }

  /**
   * Asserts that the halving check, and decoding the point's encoding, agree with [L]P = O; returns
   * that answer.
   */
  private static boolean checkAgrees(Point point) {
    boolean expected = !point.isIdentity() && multiplyPlain(point, Ed25519Group.L).isIdentity();
    byte[] enc = point.encode();
    BigInteger[] xy = affine(enc);
    if (!point.isIdentity()) {
      assertThat(Ed25519Group.inPrimeOrderSubgroup(xy[0], xy[1]))
          .as("halving check on %s", point)
          .isEqualTo(expected);
    }
    boolean decoded;
    try {
      decoded = ED.deserializeElement(enc).equals(point);
    } catch (FrostException e) {
      decoded = false;
    }
    assertThat(decoded).as("deserializeElement of %s", point).isEqualTo(expected);
    return expected;
  }

  /** The oracle: [k]P by double-and-add from the top bit. */
  static Point multiplyPlain(Point p, BigInteger k) {
    Point acc = (Point) ED.identity();
    for (int i = k.bitLength() - 1; i >= 0; i--) {
      acc = acc.twice();
      if (k.testBit(i)) {
        acc = acc.add(p);
      }
    }
    return acc;
  }

  /** The eight points of order dividing 8, as j T8 for j = 0 .. 7 (T8 of order 8). */
  static List<Point> smallOrderPoints(Random random) {
    Point t8 = null;
    while (t8 == null) {
      Point any = randomCurvePoint(random);
      if (any == null) {
        continue;
      }
      // [L]P is the small-order part of P, times L (invertible modulo 8).
      Point torsionPart = multiplyPlain(any, Ed25519Group.L);
      if (!torsionPart.twice().twice().isIdentity()) {
        t8 = torsionPart;
      }
    }
    List<Point> points = new ArrayList<>();
    Point acc = (Point) ED.identity();
    for (int j = 0; j < 8; j++) {
      points.add(acc);
      acc = acc.add(t8);
    }
    assertThat(acc.isIdentity()).as("8 T8 = O").isTrue();
    return points;
  }

  /** A uniformly random curve point (any order), or null where the random y has no x. */
  static @Nullable Point randomCurvePoint(Random random) {
    BigInteger y = new BigInteger(255, random).mod(Ed25519Group.P);
    BigInteger x = Ed25519Group.recoverX(y, random.nextInt(2));
    return x == null ? null : Point.affine(x, y);
  }

  private static BigInteger[] affine(byte[] encoded) {
    byte[] copy = encoded.clone();
    int sign = (copy[31] >>> 7) & 1;
    copy[31] &= 0x7f;
    BigInteger y = Bytes.fromLittleEndian(copy);
    BigInteger x = Ed25519Group.recoverX(y, sign);
    assertThat(x).as("an encoded point decodes").isNotNull();
    return new BigInteger[] {x, y};
  }
}
