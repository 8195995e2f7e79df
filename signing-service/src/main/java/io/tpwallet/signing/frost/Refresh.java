package io.tpwallet.signing.frost;

import io.tpwallet.signing.frost.FrostException.Reason;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Proactive share refresh without a dealer (ZF frost {@code refresh_dkg_*}): each participant deals
 * a random polynomial with a zero constant term, so the sum of everyone's contributions
 * re-randomizes the shares and leaves the group key unchanged. Shares stolen before a refresh are
 * useless with shares made after it. Participants left out of a refresh drop out of the key.
 *
 * <p>The caller keeps the old key package until a test signature with the new ones succeeds, and
 * destroys it only then; this class returns the new material and touches no store.
 */
public final class Refresh {

  /** Broadcast: commitments to the coefficients a_1 .. a_{t-1} (a_0 is zero, so not sent). */
  public record Round1Package(List<Element> commitment) {
    public Round1Package {
      commitment = List.copyOf(commitment);
    }
  }

  /** Kept between parts 1 and 2. Secret. */
  public static final class Round1Secret {
    private final Identifier identifier;
    private final List<BigInteger> coefficients;
    private final int participants;
    private final int minSigners;

    Round1Secret(Identifier id, List<BigInteger> coefficients, int participants, int minSigners) {
      this.identifier = id;
      this.coefficients = new ArrayList<>(coefficients);
      this.participants = participants;
      this.minSigners = minSigners;
    }

    @Override
    public String toString() {
      return "Refresh.Round1Secret[" + identifier + ", <redacted>]";
    }
  }

  /** Kept between parts 2 and 3. Secret. */
  public static final class Round2Secret {
    private final Identifier identifier;
    private final List<Element> commitment;
    private final BigInteger ownShare;
    private final int participants;
    private final int minSigners;

    Round2Secret(
        Identifier id, List<Element> commitment, BigInteger own, int participants, int min) {
      this.identifier = id;
      this.commitment = commitment;
      this.ownShare = own;
      this.participants = participants;
      this.minSigners = min;
    }

    @Override
    public String toString() {
      return "Refresh.Round2Secret[" + identifier + ", <redacted>]";
    }
  }

  public record Round1(Round1Secret secret, Round1Package broadcast) {}

  public record Round2(Round2Secret secret, SortedMap<Identifier, Dkg.Round2Package> outgoing) {}

  private final Ciphersuite suite;
  private final Group group;

  public Refresh(Ciphersuite suite) {
    this.suite = suite;
    this.group = suite.group();
  }

  public Ciphersuite ciphersuite() {
    return suite;
  }

  /** Part 1: a random polynomial with f(0) = 0 of degree t-1, committed without its constant. */
  public Round1 part1(Identifier self, int participants, int minSigners, RandomSource random) {
    Polynomial.checkSigners(minSigners, participants);
    List<BigInteger> coefficients = new ArrayList<>();
    coefficients.add(BigInteger.ZERO);
    for (int i = 1; i < minSigners; i++) {
      coefficients.add(group.randomNonZeroScalar(random));
    }
    List<Element> commitment =
        Polynomial.commit(group, coefficients.subList(1, coefficients.size()));
    return new Round1(
        new Round1Secret(self, coefficients, participants, minSigners),
        new Round1Package(commitment));
  }

  /** Part 2: the refreshing share f_self(l) for each other participant l. */
  public Round2 part2(Round1Secret secret, Map<Identifier, Round1Package> received) {
    checkReceived(secret.identifier, secret.participants, received.keySet());
    received.forEach(
        (id, pkg) -> {
          if (pkg.commitment().size() != secret.minSigners - 1) {
            throw new FrostException(
                Reason.INCORRECT_PACKAGES,
                "participant " + id + " committed to a polynomial of the wrong degree",
                List.of(id));
          }
        });
    SortedMap<Identifier, Dkg.Round2Package> outgoing = new TreeMap<>();
    for (Identifier other : received.keySet()) {
      outgoing.put(
          other,
          new Dkg.Round2Package(
              Polynomial.evaluate(secret.coefficients, other.value(), group.order())));
    }
    BigInteger own =
        Polynomial.evaluate(secret.coefficients, secret.identifier.value(), group.order());
    List<Element> ownCommitment =
        Polynomial.commit(group, secret.coefficients.subList(1, secret.coefficients.size()));
    Collections.fill(secret.coefficients, BigInteger.ZERO);
    return new Round2(
        new Round2Secret(
            secret.identifier, ownCommitment, own, secret.participants, secret.minSigners),
        Collections.unmodifiableSortedMap(outgoing));
  }

  /**
   * Part 3: verifies each refreshing share against its sender's commitment (blame on a bad one) and
   * returns the refreshed key package and public key package, with the same group key.
   */
  public Dkg.Result part3(
      Round2Secret secret,
      Map<Identifier, Round1Package> round1,
      Map<Identifier, Dkg.Round2Package> round2,
      KeyPackage oldKey,
      PublicKeyPackage oldPublic) {
    checkReceived(secret.identifier, secret.participants, round1.keySet());
    if (!round1.keySet().equals(round2.keySet())) {
      throw new FrostException(Reason.INCORRECT_PACKAGES, "round-one and round-two senders differ");
    }
    if (!oldKey.identifier().equals(secret.identifier)
        || oldKey.minSigners() != secret.minSigners) {
      throw new FrostException(
          Reason.INCORRECT_PACKAGES, "refresh does not match the key package being refreshed");
    }
    BigInteger delta = secret.ownShare;
    for (Map.Entry<Identifier, Dkg.Round2Package> e : round2.entrySet()) {
      Identifier sender = e.getKey();
      BigInteger value = e.getValue().signingShare();
      Element expected = zeroConstantImage(round1.get(sender).commitment(), secret.identifier);
      if (value.signum() < 0
          || value.compareTo(group.order()) >= 0
          || !group.multiplyBase(value).equals(expected)) {
        throw new FrostException(
            Reason.INVALID_SECRET_SHARE,
            "refreshing share from participant " + sender + " does not match its commitment",
            List.of(sender));
      }
      delta = delta.add(value);
    }
    SortedMap<Identifier, List<Element>> commitments = new TreeMap<>();
    round1.forEach((id, pkg) -> commitments.put(id, pkg.commitment()));
    commitments.put(secret.identifier, secret.commitment);
    Map<Identifier, Element> shares = new TreeMap<>();
    for (Identifier id : commitments.keySet()) {
      Element old = oldPublic.verifyingShares().get(id);
      if (old == null) {
        throw new FrostException(
            Reason.UNKNOWN_IDENTIFIER,
            "participant " + id + " holds no share of this key",
            List.of(id));
      }
      Element y = old;
      for (List<Element> c : commitments.values()) {
        y = y.add(zeroConstantImage(c, id));
      }
      shares.put(id, y);
    }
    BigInteger share = oldKey.signingShare().add(delta).mod(group.order());
    PublicKeyPackage pub =
        PublicKeyPackage.of(shares, oldPublic.verifyingKey(), oldPublic.minSigners());
    KeyPackage key =
        new KeyPackage(
            oldKey.identifier(),
            share,
            group.multiplyBase(share),
            oldKey.verifyingKey(),
            oldKey.minSigners());
    if (!key.verifyingShare().equals(pub.verifyingShares().get(key.identifier()))) {
      throw new IllegalStateException("refreshed verifying share must match the commitments");
    }
    return new Dkg.Result(key, pub);
  }

  /** f(x) G for a polynomial with zero constant term committed as [a_1 G, ..., a_{t-1} G]. */
  private Element zeroConstantImage(List<Element> commitment, Identifier at) {
    // Prepending the identity for a_0 = 0 makes this the ordinary commitment evaluation.
    List<Element> full = new ArrayList<>();
    full.add(group.identity());
    full.addAll(commitment);
    return Polynomial.evaluateCommitment(group, full, at.value());
  }

  private static void checkReceived(
      Identifier self, int participants, java.util.Set<Identifier> ids) {
    if (ids.size() != participants - 1) {
      throw new FrostException(
          Reason.INCORRECT_PACKAGES,
          "expected packages from " + (participants - 1) + " others, got " + ids.size());
    }
    if (ids.contains(self)) {
      throw new FrostException(
          Reason.INCORRECT_PACKAGES, "a package claims to come from this participant");
    }
  }
}
