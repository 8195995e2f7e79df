package io.tpwallet.signing.frost;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** Shamir polynomials over the scalar field and their Feldman commitments. */
final class Polynomial {

  private Polynomial() {}

  /** f(x) by Horner's rule; coefficients[0] is the constant term. */
  static BigInteger evaluate(List<BigInteger> coefficients, BigInteger x, BigInteger order) {
    BigInteger value = BigInteger.ZERO;
    for (int i = coefficients.size() - 1; i >= 0; i--) {
      value = value.multiply(x).add(coefficients.get(i)).mod(order);
    }
    return value;
  }

  /** The commitment [a_0 G, a_1 G, ...]. */
  static List<Element> commit(Group group, List<BigInteger> coefficients) {
    List<Element> out = new ArrayList<>(coefficients.size());
    for (BigInteger a : coefficients) {
      out.add(group.multiplyBase(a));
    }
    return List.copyOf(out);
  }

  /** The public image f(x) G of a committed polynomial: the sum of x^k [a_k G]. */
  static Element evaluateCommitment(Group group, List<Element> commitment, BigInteger x) {
    Element sum = group.identity();
    BigInteger power = BigInteger.ONE;
    for (Element c : commitment) {
      if (!c.isIdentity()) {
        sum = sum.add(c.multiply(power));
      }
      power = power.multiply(x).mod(group.order());
    }
    return sum;
  }

  static void checkSigners(int minSigners, int maxSigners) {
    if (minSigners < 2 || maxSigners < minSigners || maxSigners > Identifier.NUMBER_MAX) {
      throw new FrostException(
          FrostException.Reason.INVALID_SIGNER_COUNT,
          "need 2 <= min_signers <= max_signers <= "
              + Identifier.NUMBER_MAX
              + ", got "
              + minSigners
              + " of "
              + maxSigners);
    }
  }
}
