package io.tpwallet.signing.frost.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.signing.frost.Element;
import io.tpwallet.signing.frost.Group;
import io.tpwallet.signing.frost.internal.Ed25519Group.Point;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bouncycastle.math.ec.rfc7748.X25519Field;
import org.junit.jupiter.api.Test;

/**
 * The field and multi-scalar code of {@link Ed25519Group} against the BigInteger and
 * one-product-at-a-time references it replaced: x-recovery, encoding, identity and equality tests,
 * the wNAF recoding and {@link Ed25519Group#publicLinearCombination}, on prime-order points, on
 * points with a small-order part and on random curve points, with edge scalars (0, 1, L - 1) mixed
 * in. A seeded loop; replay with {@code -Ded25519.seed=...}.
 */
class Ed25519FieldArithmeticTests {

  private static final Ed25519Group ED = Ed25519Group.INSTANCE;
  private static final int ROUNDS = 400;

  @Test
  void fieldCodeAgreesWithTheBigIntegerReference() {
    SeededLoop.run(
        "ed25519.seed",
        random -> {
          List<Point> torsion = Ed25519SubgroupCheckTests.smallOrderPoints(random);
          for (int round = 0; round < ROUNDS; round++) {
            BigInteger y = new BigInteger(255, random).mod(Ed25519Group.P);
            if (round == 0) {
              y = BigInteger.ONE; // x = 0: sign 1 is refused
            } else if (round == 1) {
              y = Ed25519Group.P.subtract(BigInteger.ONE);
            }
            for (int sign = 0; sign < 2; sign++) {
              BigInteger expected = Ed25519Group.recoverX(y, sign);
              int[] x = X25519Field.create();
              boolean found = Ed25519Group.recoverX(Ed25519Group.field(y), sign, x);
              assertThat(found)
                  .as("x exists for y = %s, sign %d", y, sign)
                  .isEqualTo(expected != null);
              if (found) {
                assertThat(Ed25519Group.toBigInteger(x)).as("x for y = %s", y).isEqualTo(expected);
              }
            }
            Point p = anyPoint(random, torsion);
            Point scaled = p.add(ED.identity()); // the same point with other coordinates
            assertThat(p.encode()).isEqualTo(p.encodeReference());
            assertThat(scaled.encode()).isEqualTo(p.encodeReference());
            assertThat(p.isIdentity()).isEqualTo(p.isIdentityReference());
            Point q = anyPoint(random, torsion);
            assertThat(p.equals(scaled)).isTrue();
            assertThat(p.equals(q)).isEqualTo(p.equalsReference(q));
            Point zero = p.add(p.negate());
            assertThat(zero.isIdentity()).isTrue();
            assertThat(zero.isIdentityReference()).isTrue();
          }
        });
  }

  @Test
  void wnafDigitsAreOddBoundedSpacedAndSumToTheScalar() {
    SeededLoop.run(
        "ed25519.seed",
        random -> {
          for (int round = 0; round < ROUNDS; round++) {
            BigInteger k = scalar(random);
            for (int w : new int[] {Ed25519Group.NAF_WIDTH, Ed25519Group.BASE_NAF_WIDTH, 2}) {
              byte[] naf = Ed25519Group.wnaf(k, w);
              BigInteger sum = BigInteger.ZERO;
              int lastNonZero = -w;
              for (int i = 0; i < naf.length; i++) {
                int d = naf[i];
                if (d == 0) {
                  continue;
                }
                assertThat(d & 1).as("digit %d of %s odd", i, k).isEqualTo(1);
                assertThat(Math.abs(d)).isLessThan(1 << (w - 1));
                assertThat(i - lastNonZero)
                    .as("spacing at %d of %s", i, k)
                    .isGreaterThanOrEqualTo(w);
                lastNonZero = i;
                sum = sum.add(BigInteger.valueOf(d).shiftLeft(i));
              }
              assertThat(sum).as("width %d of %s", w, k).isEqualTo(k);
            }
          }
        });
  }

  @Test
  void linearCombinationAgreesWithTheSumOfProducts() {
    SeededLoop.run(
        "ed25519.seed",
        random -> {
          List<Point> torsion = Ed25519SubgroupCheckTests.smallOrderPoints(random);
          for (int round = 0; round < ROUNDS; round++) {
            int terms = 1 + random.nextInt(5);
            List<Element> points = new ArrayList<>();
            List<BigInteger> scalars = new ArrayList<>();
            for (int i = 0; i < terms; i++) {
              points.add(random.nextInt(4) == 0 ? ED.generator() : anyPoint(random, torsion));
              scalars.add(scalar(random));
            }
            Element expected = sumOfProducts(ED, points, scalars);
            Element actual = ED.publicLinearCombination(points, scalars);
            assertThat(actual).as("terms %s, scalars %s", points, scalars).isEqualTo(expected);
            // The result's coordinates must be usable further (T kept up to date).
            assertThat(actual.add(points.get(0))).isEqualTo(expected.add(points.get(0)));
          }
          // The generator alone takes the fixed-base table.
          BigInteger k = scalar(random);
          assertThat(ED.publicLinearCombination(List.of(ED.generator()), List.of(k)))
              .isEqualTo(ED.multiplyBase(k));
          assertThat(ED.publicLinearCombination(List.of(), List.of()).isIdentity()).isTrue();
        });
  }

  @Test
  void verificationSumAgreesBeforeAndAfterTheKeyHasItsTable() {
    SeededLoop.run(
        "ed25519.seed",
        random -> {
          List<Point> torsion = Ed25519SubgroupCheckTests.smallOrderPoints(random);
          // More keys than tables, each verified past the count that builds its table.
          for (int keyIndex = 0; keyIndex < Ed25519Group.KEY_TABLES_MAX + 4; keyIndex++) {
            Point key = anyPoint(random, torsion);
            for (int use = 0; use < 3 * Ed25519Group.KEY_TABLE_USES_MIN; use++) {
              BigInteger z = scalar(random);
              BigInteger c = scalar(random);
              // L - c rather than -c: the same on the prime-order subgroup, and for a key with a
              // small-order part the difference is a small-order point the cofactor removes.
              BigInteger minusC = Ed25519Group.L.subtract(c).mod(Ed25519Group.L);
              Element expected = ED.multiplyBase(z).add(key.multiply(minusC));
              assertThat(ED.verificationSum(z, c, key))
                  .as("key %s, use %d, z %s, c %s", key, use, z, c)
                  .isEqualTo(expected);
            }
          }
        });
  }

  /** The reference: one product at a time, with each element's own multiplication. */
  static Element sumOfProducts(Group group, List<Element> points, List<BigInteger> scalars) {
    Element sum = group.identity();
    for (int i = 0; i < points.size(); i++) {
      sum = sum.add(points.get(i).multiply(scalars.get(i)));
    }
    return sum;
  }

  /**
   * A point of the prime-order subgroup, that plus a small-order point, a random curve point, or
   * the identity.
   */
  private static Point anyPoint(Random random, List<Point> torsion) {
    Point prime = (Point) ED.multiplyBase(scalar(random));
    return switch (random.nextInt(8)) {
      case 0 -> prime.add(torsion.get(1 + random.nextInt(7)));
      case 1 -> {
        Point any = Ed25519SubgroupCheckTests.randomCurvePoint(random);
        yield any == null ? prime : any;
      }
      case 2 -> (Point) ED.identity();
      default -> prime;
    };
  }

  /** Mostly uniform below L, sometimes 0, 1, 2, L - 1 or a small number. */
  private static BigInteger scalar(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> BigInteger.ZERO;
      case 1 -> BigInteger.ONE;
      case 2 -> BigInteger.TWO;
      case 3 -> Ed25519Group.L.subtract(BigInteger.ONE);
      case 4 -> BigInteger.valueOf(random.nextInt(1 << 16));
      default -> new BigInteger(256, random).mod(Ed25519Group.L);
    };
  }
}
