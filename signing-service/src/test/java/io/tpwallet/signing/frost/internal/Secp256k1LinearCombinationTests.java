package io.tpwallet.signing.frost.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.signing.frost.Element;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Secp256k1Group#publicLinearCombination} (BouncyCastle's multi-scalar multiplication)
 * against the sum of products it replaced, with the generator, repeated points, the identity and
 * edge scalars (0, 1, n - 1) mixed in. A seeded loop; replay with {@code -Dsecp256k1.seed=...}.
 */
class Secp256k1LinearCombinationTests {

  private static final Secp256k1Group K1 = Secp256k1Group.INSTANCE;
  private static final int ROUNDS = 300;

  @Test
  void linearCombinationAgreesWithTheSumOfProducts() {
    SeededLoop.run("secp256k1.seed", Secp256k1LinearCombinationTests::run);
  }

  private static void run(Random random) {
    for (int round = 0; round < ROUNDS; round++) {
      int terms = 1 + random.nextInt(5);
      List<Element> points = new ArrayList<>();
      List<BigInteger> scalars = new ArrayList<>();
      for (int i = 0; i < terms; i++) {
        points.add(
            switch (random.nextInt(6)) {
              case 0 -> K1.generator();
              case 1 -> K1.identity();
              case 2 -> i > 0 ? points.get(0) : K1.generator();
              default -> K1.multiplyBase(scalar(random));
            });
        scalars.add(scalar(random));
      }
      Element expected = Ed25519FieldArithmeticTests.sumOfProducts(K1, points, scalars);
      Element actual = K1.publicLinearCombination(points, scalars);
      assertThat(actual).as("terms %s, scalars %s", points, scalars).isEqualTo(expected);
      if (!expected.isIdentity()) {
        assertThat(K1.serializeElement(actual)).isEqualTo(K1.serializeElement(expected));
      }
    }
  }

  private static BigInteger scalar(Random random) {
    return switch (random.nextInt(8)) {
      case 0 -> BigInteger.ZERO;
      case 1 -> BigInteger.ONE;
      case 2 -> K1.order().subtract(BigInteger.ONE);
      default -> new BigInteger(256, random).mod(K1.order());
    };
  }
}
