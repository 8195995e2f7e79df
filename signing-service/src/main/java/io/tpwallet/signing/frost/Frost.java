package io.tpwallet.signing.frost;

import io.tpwallet.signing.frost.FrostException.Reason;
import io.tpwallet.signing.frost.internal.Bytes;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two-round FROST signing protocol of RFC 9591 section 5 for one ciphersuite: round one (nonces
 * and commitments), round two (signature shares), share verification naming the cheating signers,
 * and aggregation. Stateless and thread-safe; the only state, the nonces, is in {@link
 * SigningNonces} and is single-use.
 */
public final class Frost {

  /** RFC 9591 nonce_generate draws 32 random bytes. */
  public static final int NONCE_RANDOMNESS_BYTES = 32;

  private final Ciphersuite suite;
  private final Group group;
  private final BigInteger order;

  public Frost(Ciphersuite suite) {
    this.suite = suite;
    this.group = suite.group();
    this.order = group.order();
  }

  public Ciphersuite ciphersuite() {
    return suite;
  }

  // Round one

  /** Round one: fresh hiding and binding nonces for one session, and their commitments. */
  public SigningNonces commit(KeyPackage keyPackage, RandomSource random) {
    byte[] hidingRandomness = new byte[NONCE_RANDOMNESS_BYTES];
    byte[] bindingRandomness = new byte[NONCE_RANDOMNESS_BYTES];
    random.nextBytes(hidingRandomness);
    random.nextBytes(bindingRandomness);
    try {
      return commitWithRandomness(
          keyPackage.identifier(), keyPackage.signingShare(), hidingRandomness, bindingRandomness);
    } finally {
      Arrays.fill(hidingRandomness, (byte) 0);
      Arrays.fill(bindingRandomness, (byte) 0);
    }
  }

  /** Round one with given randomness; only the published vectors should need this. */
  public SigningNonces commitWithRandomness(
      Identifier identifier,
      BigInteger signingShare,
      byte[] hidingRandomness,
      byte[] bindingRandomness) {
    BigInteger hiding = nonceGenerate(signingShare, hidingRandomness);
    BigInteger binding = nonceGenerate(signingShare, bindingRandomness);
    SigningCommitments commitments =
        new SigningCommitments(identifier, group.multiplyBase(hiding), group.multiplyBase(binding));
    return new SigningNonces(identifier, hiding, binding, commitments);
  }

  /** RFC 9591 nonce_generate: H3(random_bytes || SerializeScalar(secret)). */
  public BigInteger nonceGenerate(BigInteger secret, byte[] randomness) {
    if (randomness.length != NONCE_RANDOMNESS_BYTES) {
      throw new IllegalArgumentException("nonce randomness must be 32 bytes");
    }
    byte[] secretBytes = group.serializeScalar(secret);
    byte[] input = Bytes.concat(randomness, secretBytes);
    try {
      return suite.h3(input);
    } finally {
      Arrays.fill(secretBytes, (byte) 0);
      Arrays.fill(input, (byte) 0);
    }
  }

  /**
   * The nonces inside a holder without consuming it, to compare with published vectors.
   * Package-private on purpose: nothing outside this package may read nonces.
   */
  static BigInteger[] peekNoncesForVectors(SigningNonces nonces) {
    return nonces.peekForVectors();
  }

  // Binding factors and group commitment

  /** RFC 9591 encode_group_commitment_list. */
  public byte[] encodeGroupCommitments(SigningPackage signingPackage) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (SigningCommitments c : signingPackage.commitments()) {
      out.writeBytes(c.identifier().serialize(group));
      out.writeBytes(group.serializeElement(c.hiding()));
      out.writeBytes(group.serializeElement(c.binding()));
    }
    return out.toByteArray();
  }

  /** The binding factor inputs (rho_input) in commitment-list order. */
  public Map<Identifier, byte[]> bindingFactorInputs(
      SigningPackage signingPackage, Element verifyingKey) {
    byte[] prefix =
        Bytes.concat(
            group.serializeElement(verifyingKey),
            suite.h4(signingPackage.message()),
            suite.h5(encodeGroupCommitments(signingPackage)));
    Map<Identifier, byte[]> inputs = new LinkedHashMap<>();
    for (SigningCommitments c : signingPackage.commitments()) {
      inputs.put(c.identifier(), Bytes.concat(prefix, c.identifier().serialize(group)));
    }
    return inputs;
  }

  /** RFC 9591 compute_binding_factors. */
  public Map<Identifier, BigInteger> bindingFactors(
      SigningPackage signingPackage, Element verifyingKey) {
    Map<Identifier, BigInteger> factors = new LinkedHashMap<>();
    bindingFactorInputs(signingPackage, verifyingKey)
        .forEach((id, input) -> factors.put(id, suite.h1(input)));
    return factors;
  }

  /** RFC 9591 compute_group_commitment. */
  public Element groupCommitment(
      SigningPackage signingPackage, Map<Identifier, BigInteger> bindingFactors) {
    // Sum of D_i + rho_i E_i as one multi-scalar multiplication: commitments and binding factors
    // are public, so the variable-time combination may be used.
    int n = signingPackage.commitments().size();
    List<Element> points = new ArrayList<>(2 * n);
    List<BigInteger> scalars = new ArrayList<>(2 * n);
    for (SigningCommitments c : signingPackage.commitments()) {
      BigInteger rho = bindingFactors.get(c.identifier());
      if (rho == null) {
        throw new FrostException(
            Reason.UNKNOWN_IDENTIFIER, "no binding factor for " + c.identifier());
      }
      points.add(c.hiding());
      scalars.add(BigInteger.ONE);
      points.add(c.binding());
      scalars.add(rho);
    }
    return group.publicLinearCombination(points, scalars);
  }

  /** The Lagrange coefficient of {@code x} at 0 over {@code participants}. */
  public BigInteger lagrangeAtZero(Identifier x, Collection<Identifier> participants) {
    return lagrange(x, participants, BigInteger.ZERO);
  }

  /** The Lagrange coefficient of {@code xi} evaluated at {@code at} over {@code set}. */
  BigInteger lagrange(Identifier xi, Collection<Identifier> set, BigInteger at) {
    BigInteger num = BigInteger.ONE;
    BigInteger den = BigInteger.ONE;
    boolean found = false;
    for (Identifier xj : set) {
      if (xj.equals(xi)) {
        if (found) {
          throw new FrostException(
              Reason.DUPLICATE_IDENTIFIER, "identifier " + xi + " twice", List.of(xi));
        }
        found = true;
        continue;
      }
      num = num.multiply(at.subtract(xj.value())).mod(order);
      den = den.multiply(xi.value().subtract(xj.value())).mod(order);
    }
    if (!found) {
      throw new FrostException(Reason.UNKNOWN_IDENTIFIER, xi + " is not among " + set);
    }
    if (den.signum() == 0) {
      throw new FrostException(Reason.DUPLICATE_IDENTIFIER, "duplicate identifiers in " + set);
    }
    return num.multiply(den.modInverse(order)).mod(order);
  }

  // Round two

  /**
   * Round two: this signer's share. The nonces are consumed first, so that whatever happens next (a
   * refused package included) they can never be used again; a retry needs a new round one.
   */
  public SignatureShare sign(
      SigningPackage signingPackage, SigningNonces nonces, KeyPackage keyPackage) {
    BigInteger[] dAndE = nonces.consume();
    Identifier self = keyPackage.identifier();
    if (!nonces.identifier().equals(self)) {
      throw new FrostException(
          Reason.INCORRECT_COMMITMENT, "nonces of " + nonces.identifier() + " used by " + self);
    }
    int signers = signingPackage.commitments().size();
    if (signers < keyPackage.minSigners()) {
      throw new FrostException(
          Reason.INVALID_SIGNER_COUNT,
          signers + " commitments, the threshold is " + keyPackage.minSigners());
    }
    SigningCommitments own =
        signingPackage
            .commitmentOf(self)
            .orElseThrow(
                () ->
                    new FrostException(
                        Reason.MISSING_COMMITMENT, "no commitment of signer " + self));
    if (!own.equals(nonces.commitments())) {
      throw new FrostException(
          Reason.INCORRECT_COMMITMENT, "the package holds another commitment for " + self);
    }
    KeyPackage key = suite.preSign(keyPackage);
    Map<Identifier, BigInteger> factors = bindingFactors(signingPackage, key.verifyingKey());
    Element r = groupCommitment(signingPackage, factors);
    BigInteger lambda = lagrangeAtZero(self, signingPackage.identifiers());
    BigInteger c = suite.challenge(r, key.verifyingKey(), signingPackage.message());
    BigInteger d = dAndE[0];
    BigInteger e = dAndE[1];
    if (suite.negatesNonces(r)) {
      d = order.subtract(d);
      e = order.subtract(e);
    }
    BigInteger z =
        d.add(e.multiply(factors.get(self)))
            .add(lambda.multiply(key.signingShare()).multiply(c))
            .mod(order);
    return new SignatureShare(self, z);
  }

  // Share verification and aggregation

  /**
   * RFC 9591 section 5.4: verifies one signer's share against its verifying share; throws {@link
   * FrostException} naming the signer if it is wrong.
   */
  public void verifySignatureShare(
      SignatureShare share,
      Element verifyingShare,
      SigningPackage signingPackage,
      Element verifyingKey) {
    PublicKeyPackage single =
        suite.preAggregate(
            PublicKeyPackage.of(Map.of(share.identifier(), verifyingShare), verifyingKey, 1));
    Map<Identifier, BigInteger> factors = bindingFactors(signingPackage, single.verifyingKey());
    Element r = groupCommitment(signingPackage, factors);
    BigInteger c = suite.challenge(r, single.verifyingKey(), signingPackage.message());
    if (!shareIsValid(
        share, single.verifyingShares().get(share.identifier()), signingPackage, factors, r, c)) {
      throw new FrostException(
          Reason.INVALID_SIGNATURE_SHARE,
          "signature share of " + share.identifier() + " is invalid",
          List.of(share.identifier()));
    }
  }

  private boolean shareIsValid(
      SignatureShare share,
      Element verifyingShare,
      SigningPackage signingPackage,
      Map<Identifier, BigInteger> factors,
      Element r,
      BigInteger c) {
    Identifier id = share.identifier();
    SigningCommitments commitment =
        signingPackage
            .commitmentOf(id)
            .orElseThrow(
                () -> new FrostException(Reason.UNKNOWN_IDENTIFIER, "no commitment of " + id));
    Element commShare = commitment.hiding().add(commitment.binding().multiply(factors.get(id)));
    if (suite.negatesNonces(r)) {
      commShare = commShare.negate();
    }
    BigInteger lambda = lagrangeAtZero(id, signingPackage.identifiers());
    Element lhs = group.multiplyBase(share.share());
    Element rhs = commShare.add(verifyingShare.multiply(c.multiply(lambda).mod(order)));
    return lhs.equals(rhs);
  }

  /**
   * RFC 9591 section 5.3: sums the shares and verifies the signature; if it does not verify, checks
   * every share and throws {@link FrostException} naming all cheating signers.
   */
  public Signature aggregate(
      SigningPackage signingPackage,
      Map<Identifier, SignatureShare> shares,
      PublicKeyPackage publicKeyPackage) {
    List<Identifier> ids = signingPackage.identifiers();
    if (ids.size() < publicKeyPackage.minSigners() || ids.size() > publicKeyPackage.maxSigners()) {
      throw new FrostException(
          Reason.INVALID_SIGNER_COUNT,
          ids.size()
              + " signers; need "
              + publicKeyPackage.minSigners()
              + ".."
              + publicKeyPackage.maxSigners());
    }
    if (shares.size() != ids.size() || !shares.keySet().containsAll(ids)) {
      throw new FrostException(
          Reason.UNKNOWN_IDENTIFIER, "signature shares do not match the commitment list");
    }
    for (Identifier id : ids) {
      if (!publicKeyPackage.verifyingShares().containsKey(id)) {
        throw new FrostException(
            Reason.UNKNOWN_IDENTIFIER, "signer " + id + " holds no share of this key", List.of(id));
      }
      if (!shares.get(id).identifier().equals(id)) {
        throw new FrostException(Reason.UNKNOWN_IDENTIFIER, "share filed under another signer");
      }
    }
    PublicKeyPackage pub = suite.preAggregate(publicKeyPackage);
    Map<Identifier, BigInteger> factors = bindingFactors(signingPackage, pub.verifyingKey());
    Element r = groupCommitment(signingPackage, factors);
    BigInteger z = BigInteger.ZERO;
    for (Identifier id : ids) {
      z = z.add(shares.get(id).share());
    }
    Signature signature = new Signature(r, z.mod(order));
    if (suite.verify(signingPackage.message(), signature, pub.verifyingKey())) {
      return signature;
    }
    BigInteger c = suite.challenge(r, pub.verifyingKey(), signingPackage.message());
    List<Identifier> culprits = new ArrayList<>();
    for (Identifier id : ids) {
      if (!shareIsValid(
          shares.get(id), pub.verifyingShares().get(id), signingPackage, factors, r, c)) {
        culprits.add(id);
      }
    }
    if (culprits.isEmpty()) {
      throw new FrostException(Reason.INVALID_SIGNATURE, "aggregate signature does not verify");
    }
    throw new FrostException(Reason.INVALID_SIGNATURE_SHARE, "invalid signature shares", culprits);
  }

  /** Verifies an encoded signature as this suite's ordinary single-key verifier would. */
  public boolean verify(byte[] message, byte[] signature, Element verifyingKey) {
    return suite.verify(message, signature, verifyingKey);
  }
}
