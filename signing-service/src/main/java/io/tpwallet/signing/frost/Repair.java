package io.tpwallet.signing.frost;

import io.tpwallet.signing.frost.FrostException.Reason;
import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Repair of a lost share by t helpers without revealing any helper's share (the enrolment
 * repairable threshold scheme, as ZF frost's {@code repairable}). Step 1: each helper i splits
 * lambda_i * s_i (lambda at the lost participant's identifier) into random additive pieces, one per
 * helper. Step 2: each helper sums the pieces it received. Step 3: the participant being repaired
 * sums those sums and checks the result against its verifying share.
 *
 * <p>Pieces travel point to point over confidential, authenticated channels.
 */
public final class Repair {

  private final Ciphersuite suite;
  private final Group group;
  private final Frost frost;

  public Repair(Ciphersuite suite) {
    this.suite = suite;
    this.group = suite.group();
    this.frost = new Frost(suite);
  }

  public Ciphersuite ciphersuite() {
    return suite;
  }

  /** Step 1 at helper {@code helper}: one random piece per helper, summing to lambda_i s_i. */
  public SortedMap<Identifier, BigInteger> step1(
      List<Identifier> helpers, KeyPackage helper, Identifier lost, RandomSource random) {
    if (helpers.size() < helper.minSigners()) {
      throw new FrostException(
          Reason.INVALID_SIGNER_COUNT,
          helpers.size() + " helpers; a repair needs the threshold " + helper.minSigners());
    }
    if (helpers.contains(lost)) {
      throw new FrostException(
          Reason.INCORRECT_PACKAGES, "the participant being repaired cannot help", List.of(lost));
    }
    if (!helpers.contains(helper.identifier())) {
      throw new FrostException(Reason.UNKNOWN_IDENTIFIER, "this helper is not in the helper set");
    }
    BigInteger lambda = frost.lagrange(helper.identifier(), helpers, lost.value());
    BigInteger total = lambda.multiply(helper.signingShare()).mod(group.order());
    SortedMap<Identifier, BigInteger> pieces = new TreeMap<>();
    BigInteger sum = BigInteger.ZERO;
    List<Identifier> sorted = helpers.stream().sorted().toList();
    for (int i = 0; i < sorted.size() - 1; i++) {
      BigInteger piece = group.randomNonZeroScalar(random);
      pieces.put(sorted.get(i), piece);
      sum = sum.add(piece);
    }
    pieces.put(sorted.get(sorted.size() - 1), total.subtract(sum).mod(group.order()));
    return pieces;
  }

  /** Step 2 at a helper: the sum of the pieces it received from every helper (itself included). */
  public BigInteger step2(Collection<BigInteger> piecesReceived) {
    BigInteger sum = BigInteger.ZERO;
    for (BigInteger piece : piecesReceived) {
      sum = sum.add(piece);
    }
    return sum.mod(group.order());
  }

  /**
   * Step 3 at the participant being repaired: its share from the helpers' sums, refused unless it
   * matches the verifying share the group already knows for it.
   */
  public KeyPackage step3(
      Map<Identifier, BigInteger> sumsFromHelpers, Identifier lost, PublicKeyPackage publicKeys) {
    Element expected = publicKeys.verifyingShares().get(lost);
    if (expected == null) {
      throw new FrostException(
          Reason.UNKNOWN_IDENTIFIER, "participant " + lost + " holds no share of this key");
    }
    if (sumsFromHelpers.size() < publicKeys.minSigners()) {
      throw new FrostException(Reason.INVALID_SIGNER_COUNT, "too few helpers answered");
    }
    BigInteger share = step2(sumsFromHelpers.values());
    Element verifyingShare = group.multiplyBase(share);
    if (!verifyingShare.equals(expected)) {
      throw new FrostException(
          Reason.INVALID_SECRET_SHARE,
          // Which helper lied cannot be told from the sums alone, so nobody is named.
          "repaired share does not match the verifying share; a helper sent a wrong value");
    }
    return new KeyPackage(
        lost, share, verifyingShare, publicKeys.verifyingKey(), publicKeys.minSigners());
  }
}
