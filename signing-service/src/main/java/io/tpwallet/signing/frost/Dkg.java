package io.tpwallet.signing.frost;

import io.tpwallet.signing.frost.FrostException.Reason;
import io.tpwallet.signing.frost.internal.Bytes;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Dealerless key generation: Pedersen's DKG with a Schnorr proof of knowledge of each participant's
 * constant term (FROST paper, figure 1), as ZF frost's {@code keys::dkg} does it, in three parts
 * per participant. Round-one packages are broadcast (check their consistency with {@link DkgEcho});
 * round-two packages are secret and go point to point over a confidential, authenticated channel.
 * Every check names the participant whose data failed.
 */
public final class Dkg {

  /** Broadcast by each participant: the commitment to its polynomial and the proof (R, mu). */
  public record Round1Package(List<Element> commitment, Element proofR, BigInteger proofZ) {
    public Round1Package {
      commitment = List.copyOf(commitment);
    }
  }

  /** Sent by one participant to one other: f_sender(receiver). Secret. */
  public record Round2Package(BigInteger signingShare) {
    @Override
    public String toString() {
      return "Round2Package[<redacted>]";
    }
  }

  /** What a participant keeps between part 1 and part 2. Secret. */
  public static final class Round1Secret {
    private final Identifier identifier;
    private final List<BigInteger> coefficients;
    private final List<Element> commitment;
    private final int minSigners;
    private final int maxSigners;

    Round1Secret(
        Identifier identifier,
        List<BigInteger> coefficients,
        List<Element> commitment,
        int minSigners,
        int maxSigners) {
      this.identifier = identifier;
      this.coefficients = new ArrayList<>(coefficients);
      this.commitment = commitment;
      this.minSigners = minSigners;
      this.maxSigners = maxSigners;
    }

    public Identifier identifier() {
      return identifier;
    }

    @Override
    public String toString() {
      return "Round1Secret[" + identifier + ", <redacted>]";
    }
  }

  /** What a participant keeps between part 2 and part 3. Secret. */
  public static final class Round2Secret {
    private final Identifier identifier;
    private final List<Element> commitment;
    private final BigInteger ownShare;
    private final int minSigners;
    private final int maxSigners;

    Round2Secret(
        Identifier identifier,
        List<Element> commitment,
        BigInteger ownShare,
        int minSigners,
        int maxSigners) {
      this.identifier = identifier;
      this.commitment = commitment;
      this.ownShare = ownShare;
      this.minSigners = minSigners;
      this.maxSigners = maxSigners;
    }

    public Identifier identifier() {
      return identifier;
    }

    @Override
    public String toString() {
      return "Round2Secret[" + identifier + ", <redacted>]";
    }
  }

  public record Round1(Round1Secret secret, Round1Package broadcast) {}

  public record Round2(Round2Secret secret, SortedMap<Identifier, Round2Package> outgoing) {}

  /** A participant's result: its key package and the group's public key package. */
  public record Result(KeyPackage keyPackage, PublicKeyPackage publicKeyPackage) {}

  private final Ciphersuite suite;
  private final Group group;

  public Dkg(Ciphersuite suite) {
    this.suite = suite;
    this.group = suite.group();
  }

  /** Part 1: a random polynomial of degree t-1, its commitment and the proof of knowledge. */
  public Round1 part1(Identifier self, int maxSigners, int minSigners, RandomSource random) {
    Polynomial.checkSigners(minSigners, maxSigners);
    List<BigInteger> coefficients = new ArrayList<>(minSigners);
    for (int i = 0; i < minSigners; i++) {
      coefficients.add(group.randomNonZeroScalar(random));
    }
    List<Element> commitment = Polynomial.commit(group, coefficients);
    BigInteger k = group.randomNonZeroScalar(random);
    Element r = group.multiplyBase(k);
    BigInteger c = proofChallenge(self, commitment.get(0), r);
    BigInteger mu = k.add(coefficients.get(0).multiply(c)).mod(group.order());
    return new Round1(
        new Round1Secret(self, coefficients, commitment, minSigners, maxSigners),
        new Round1Package(commitment, r, mu));
  }

  /** The round-one secret for a given polynomial; only the published DKG vectors need this. */
  Round1Secret secretForVectors(
      Identifier self, List<BigInteger> coefficients, int maxSigners, int minSigners) {
    Polynomial.checkSigners(minSigners, maxSigners);
    return new Round1Secret(
        self, coefficients, Polynomial.commit(group, coefficients), minSigners, maxSigners);
  }

  /** c = HDKG(identifier || phi_0 || R), as ZF frost. */
  BigInteger proofChallenge(Identifier id, Element phi0, Element r) {
    return suite.hdkg(
        Bytes.concat(id.serialize(group), group.serializeElement(phi0), group.serializeElement(r)));
  }

  /** Checks one participant's proof of knowledge of its constant term; names it if wrong. */
  public void verifyProofOfKnowledge(Identifier sender, Round1Package pkg) {
    if (pkg.commitment().isEmpty()
        || pkg.commitment().stream().anyMatch(Element::isIdentity)
        || pkg.proofR().isIdentity()) {
      throw new FrostException(
          Reason.INVALID_PROOF_OF_KNOWLEDGE,
          "empty commitment or identity element in package",
          List.of(sender));
    }
    Element phi0 = pkg.commitment().get(0);
    BigInteger c = proofChallenge(sender, phi0, pkg.proofR());
    Element expected = group.multiplyBase(pkg.proofZ()).subtract(phi0.multiply(c));
    if (!expected.equals(pkg.proofR())) {
      throw new FrostException(
          Reason.INVALID_PROOF_OF_KNOWLEDGE,
          "proof of knowledge of participant " + sender + " does not verify",
          List.of(sender));
    }
  }

  /**
   * Part 2: verifies every other participant's round-one package (blame on a bad proof) and
   * computes the secret share f_self(l) for each other participant l.
   */
  public Round2 part2(Round1Secret secret, Map<Identifier, Round1Package> received) {
    checkReceived(secret.identifier, secret.maxSigners, received.keySet());
    for (Map.Entry<Identifier, Round1Package> e : received.entrySet()) {
      if (e.getValue().commitment().size() != secret.minSigners) {
        throw new FrostException(
            Reason.INCORRECT_PACKAGES,
            "participant " + e.getKey() + " committed to a polynomial of the wrong degree",
            List.of(e.getKey()));
      }
      verifyProofOfKnowledge(e.getKey(), e.getValue());
    }
    SortedMap<Identifier, Round2Package> outgoing = new TreeMap<>();
    for (Identifier other : received.keySet()) {
      outgoing.put(
          other,
          new Round2Package(
              Polynomial.evaluate(secret.coefficients, other.value(), group.order())));
    }
    BigInteger own =
        Polynomial.evaluate(secret.coefficients, secret.identifier.value(), group.order());
    Collections.fill(secret.coefficients, BigInteger.ZERO);
    return new Round2(
        new Round2Secret(
            secret.identifier, secret.commitment, own, secret.minSigners, secret.maxSigners),
        Collections.unmodifiableSortedMap(outgoing));
  }

  /**
   * Part 3: verifies each received share against its sender's commitment (blame on a bad share),
   * sums them into this participant's signing share, derives the group key and every verifying
   * share, and applies the suite's post-keygen step (Taproot: the BIP-341 tweak).
   */
  public Result part3(
      Round2Secret secret,
      Map<Identifier, Round1Package> round1,
      Map<Identifier, Round2Package> round2) {
    checkReceived(secret.identifier, secret.maxSigners, round1.keySet());
    if (!round1.keySet().equals(round2.keySet())) {
      throw new FrostException(Reason.INCORRECT_PACKAGES, "round-one and round-two senders differ");
    }
    BigInteger share = secret.ownShare;
    for (Map.Entry<Identifier, Round2Package> e : round2.entrySet()) {
      Identifier sender = e.getKey();
      BigInteger value = e.getValue().signingShare();
      Element expected =
          Polynomial.evaluateCommitment(
              group, round1.get(sender).commitment(), secret.identifier.value());
      if (value.signum() < 0
          || value.compareTo(group.order()) >= 0
          || !group.multiplyBase(value).equals(expected)) {
        throw new FrostException(
            Reason.INVALID_SECRET_SHARE,
            "share from participant " + sender + " does not match its commitment",
            List.of(sender));
      }
      share = share.add(value);
    }
    share = share.mod(group.order());
    SortedMap<Identifier, List<Element>> commitments = new TreeMap<>();
    round1.forEach((id, pkg) -> commitments.put(id, pkg.commitment()));
    commitments.put(secret.identifier, secret.commitment);
    PublicKeyPackage pub = publicKeyPackage(commitments, secret.minSigners);
    KeyPackage key =
        new KeyPackage(
            secret.identifier,
            share,
            group.multiplyBase(share),
            pub.verifyingKey(),
            secret.minSigners);
    if (!key.verifyingShare().equals(pub.verifyingShares().get(secret.identifier))) {
      throw new IllegalStateException("own verifying share must match the commitments");
    }
    return new Result(suite.postKeygen(key), suite.postKeygen(pub));
  }

  /** The group key and every verifying share from all participants' commitments. */
  PublicKeyPackage publicKeyPackage(SortedMap<Identifier, List<Element>> commitments, int min) {
    Element key = group.identity();
    for (List<Element> c : commitments.values()) {
      key = key.add(c.get(0));
    }
    Map<Identifier, Element> shares = new TreeMap<>();
    for (Identifier id : commitments.keySet()) {
      Element y = group.identity();
      for (List<Element> c : commitments.values()) {
        y = y.add(Polynomial.evaluateCommitment(group, c, id.value()));
      }
      shares.put(id, y);
    }
    return PublicKeyPackage.of(shares, key, min);
  }

  private static void checkReceived(
      Identifier self, int maxSigners, java.util.Set<Identifier> ids) {
    if (ids.size() != maxSigners - 1) {
      throw new FrostException(
          Reason.INCORRECT_PACKAGES,
          "expected packages from " + (maxSigners - 1) + " others, got " + ids.size());
    }
    if (ids.contains(self)) {
      throw new FrostException(
          Reason.INCORRECT_PACKAGES, "a package claims to come from this participant");
    }
  }
}
