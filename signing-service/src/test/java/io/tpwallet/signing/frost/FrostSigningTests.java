package io.tpwallet.signing.frost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.signing.frost.FrostException.Reason;
import io.tpwallet.signing.frost.internal.Secp256k1Group;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Signing sessions and every input check of RFC 9591 that signers and the coordinator apply. */
class FrostSigningTests {

  private static final byte[] PAYOUT = "payout 0.5 BTC to bc1p...".getBytes(StandardCharsets.UTF_8);

  static List<Ciphersuite> suites() {
    return Ciphersuites.all();
  }

  private static TrustedDealer.DealtKeys keys(Ciphersuite suite, int n, int t, long seed) {
    return TrustedDealer.generate(suite, n, t, Sessions.seeded(seed));
  }

  private static List<KeyPackage> pick(TrustedDealer.DealtKeys keys, int... ids) {
    List<KeyPackage> out = new ArrayList<>();
    for (int id : ids) {
      out.add(keys.keyPackages().get(Identifier.of(id)));
    }
    return out;
  }

  @Test
  void ed25519SignaturesVerifyWithTheJdkAndTamperingIsRejected() {
    Ciphersuite suite = Ciphersuites.ED25519_SHA512;
    TrustedDealer.DealtKeys keys = keys(suite, 3, 2, 1);
    byte[] pk = suite.group().serializeElement(keys.publicKeyPackage().verifyingKey());
    byte[] sig =
        Sessions.sign(suite, pick(keys, 1, 2), keys.publicKeyPackage(), PAYOUT, Sessions.seeded(2));
    assertThat(IndependentVerifiers.jdkEd25519(pk, PAYOUT, sig)).isTrue();

    byte[] otherMessage = PAYOUT.clone();
    otherMessage[0] ^= 1;
    assertThat(IndependentVerifiers.jdkEd25519(pk, otherMessage, sig)).isFalse();
    for (int i : new int[] {0, 31, 32, 63}) {
      byte[] tampered = sig.clone();
      tampered[i] ^= 0x01;
      assertThat(IndependentVerifiers.jdkEd25519(pk, PAYOUT, tampered)).as("byte %d", i).isFalse();
    }
  }

  @Test
  void taprootSignaturesVerifyWithBip340UnderTheTweakedKeyAndTamperingIsRejected() {
    Ciphersuite suite = Ciphersuites.SECP256K1_SHA256_TR;
    for (long seed = 1; seed <= 8; seed++) {
      TrustedDealer.DealtKeys keys = keys(suite, 3, 2, seed);
      byte[] xOnly = Secp256k1Group.INSTANCE.xOnly(keys.publicKeyPackage().verifyingKey());
      byte[] sig =
          Sessions.sign(
              suite,
              pick(keys, 2, 3),
              keys.publicKeyPackage(),
              PAYOUT,
              Sessions.seeded(seed + 100));
      assertThat(sig).hasSize(64);
      assertThat(IndependentVerifiers.bip340(xOnly, PAYOUT, sig)).as("seed %d", seed).isTrue();
      byte[] tampered = sig.clone();
      tampered[40] ^= 0x04;
      assertThat(IndependentVerifiers.bip340(xOnly, PAYOUT, tampered)).isFalse();
      assertThat(IndependentVerifiers.bip340(xOnly, "other".getBytes(StandardCharsets.UTF_8), sig))
          .isFalse();
    }
  }

  @Test
  void taprootKeyIsTheBip341OutputKeyOfTheUntweakedKey() {
    var tr =
        (io.tpwallet.signing.frost.internal.Secp256k1Sha256Tr) Ciphersuites.SECP256K1_SHA256_TR;
    Group group = tr.group();
    BigInteger secret = BigInteger.valueOf(123456789);
    TrustedDealer.DealtKeys raw =
        TrustedDealer.split(tr, secret, List.of(BigInteger.valueOf(42)), 3, 2);
    PublicKeyPackage tweaked = tr.postKeygen(raw.publicKeyPackage());
    Element p = raw.publicKeyPackage().verifyingKey();
    Element evenP = Secp256k1Group.INSTANCE.hasEvenY(p) ? p : p.negate();
    Element q = evenP.add(group.multiplyBase(tr.tapTweak(p)));
    assertThat(tweaked.verifyingKey()).isEqualTo(q);
  }

  @ParameterizedTest
  @MethodSource("suites")
  void nonceReuseIsRefused(Ciphersuite suite) {
    Frost frost = new Frost(suite);
    TrustedDealer.DealtKeys keys = keys(suite, 3, 2, 3);
    KeyPackage k1 = keys.keyPackages().get(Identifier.of(1));
    KeyPackage k2 = keys.keyPackages().get(Identifier.of(2));
    SigningNonces n1 = frost.commit(k1, RandomSource.secure());
    SigningNonces n2 = frost.commit(k2, RandomSource.secure());
    SigningPackage pkg = SigningPackage.sorted(List.of(n1.commitments(), n2.commitments()), PAYOUT);
    frost.sign(pkg, n1, k1);
    assertThat(n1.isConsumed()).isTrue();
    assertThatThrownBy(() -> frost.sign(pkg, n1, k1))
        .isInstanceOfSatisfying(
            FrostException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NONCES_ALREADY_USED));
    SigningPackage other =
        SigningPackage.sorted(List.of(n1.commitments(), n2.commitments()), "x".getBytes());
    assertThatThrownBy(() -> frost.sign(other, n1, k1)).isInstanceOf(FrostException.class);
    // A refused package also burns the nonces: a retry needs a new round one.
    SigningPackage missing = SigningPackage.of(List.of(n1.commitments()), PAYOUT);
    assertThatThrownBy(() -> frost.sign(missing, n2, k2)).isInstanceOf(FrostException.class);
    assertThat(n2.isConsumed()).isTrue();
    assertThat(n2.toString()).doesNotContain(n2.commitments().hiding().toString().substring(20));
  }

  @ParameterizedTest
  @MethodSource("suites")
  void signersRefuseBadSigningPackages(Ciphersuite suite) {
    Frost frost = new Frost(suite);
    TrustedDealer.DealtKeys keys = keys(suite, 3, 2, 4);
    KeyPackage k1 = keys.keyPackages().get(Identifier.of(1));
    KeyPackage k2 = keys.keyPackages().get(Identifier.of(2));
    KeyPackage k3 = keys.keyPackages().get(Identifier.of(3));
    RandomSource rnd = Sessions.seeded(5);
    SigningCommitments c2 = frost.commit(k2, rnd).commitments();
    SigningCommitments c3 = frost.commit(k3, rnd).commitments();

    // Unsorted and duplicated lists are refused when the package is read.
    SigningNonces n1 = frost.commit(k1, rnd);
    assertReason(
        () -> SigningPackage.of(List.of(c2, n1.commitments()), PAYOUT),
        Reason.UNSORTED_COMMITMENTS);
    assertReason(() -> SigningPackage.of(List.of(c2, c2), PAYOUT), Reason.DUPLICATE_IDENTIFIER);
    assertReason(() -> SigningPackage.of(List.of(), PAYOUT), Reason.INVALID_SIGNER_COUNT);

    // The signer's own commitment must be present ...
    assertReason(
        () -> frost.sign(SigningPackage.of(List.of(c2, c3), PAYOUT), frost.commit(k1, rnd), k1),
        Reason.MISSING_COMMITMENT);
    // ... and be the one it made.
    SigningNonces fresh = frost.commit(k1, rnd);
    SigningCommitments forged = new SigningCommitments(Identifier.of(1), c2.hiding(), c2.binding());
    assertReason(
        () -> frost.sign(SigningPackage.of(List.of(forged, c2), PAYOUT), fresh, k1),
        Reason.INCORRECT_COMMITMENT);
    // Fewer commitments than the threshold.
    SigningNonces alone = frost.commit(k1, rnd);
    assertReason(
        () -> frost.sign(SigningPackage.of(List.of(alone.commitments()), PAYOUT), alone, k1),
        Reason.INVALID_SIGNER_COUNT);
    // Identity commitments cannot even be built.
    assertReason(
        () -> new SigningCommitments(Identifier.of(1), suite.group().identity(), c2.binding()),
        Reason.IDENTITY_ELEMENT);
  }

  @ParameterizedTest
  @MethodSource("suites")
  void aggregationBlamesEveryCheatingSigner(Ciphersuite suite) {
    Frost frost = new Frost(suite);
    TrustedDealer.DealtKeys keys = keys(suite, 5, 3, 6);
    RandomSource rnd = Sessions.seeded(7);
    List<KeyPackage> signers = pick(keys, 1, 3, 4, 5);
    Map<Identifier, SigningNonces> nonces = new LinkedHashMap<>();
    List<SigningCommitments> commitments = new ArrayList<>();
    for (KeyPackage k : signers) {
      SigningNonces n = frost.commit(k, rnd);
      nonces.put(k.identifier(), n);
      commitments.add(n.commitments());
    }
    SigningPackage pkg = SigningPackage.sorted(commitments, PAYOUT);
    Map<Identifier, SignatureShare> shares = new LinkedHashMap<>();
    for (KeyPackage k : signers) {
      shares.put(k.identifier(), frost.sign(pkg, nonces.get(k.identifier()), k));
    }
    BigInteger order = suite.group().order();
    Map<Identifier, SignatureShare> cheated = new LinkedHashMap<>(shares);
    for (int id : new int[] {3, 5}) {
      Identifier cheater = Identifier.of(id);
      cheated.put(
          cheater,
          new SignatureShare(cheater, shares.get(cheater).share().add(BigInteger.ONE).mod(order)));
    }
    assertThatThrownBy(() -> frost.aggregate(pkg, cheated, keys.publicKeyPackage()))
        .isInstanceOfSatisfying(
            FrostException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.INVALID_SIGNATURE_SHARE);
              assertThat(e.culprits()).containsExactly(Identifier.of(3), Identifier.of(5));
            });
    Identifier three = Identifier.of(3);
    assertReason(
        () ->
            frost.verifySignatureShare(
                cheated.get(three),
                keys.publicKeyPackage().verifyingShares().get(three),
                pkg,
                keys.publicKeyPackage().verifyingKey()),
        Reason.INVALID_SIGNATURE_SHARE);
    // The honest shares still aggregate.
    Signature sig = frost.aggregate(pkg, shares, keys.publicKeyPackage());
    assertThat(
            frost.verify(
                PAYOUT, suite.serializeSignature(sig), keys.publicKeyPackage().verifyingKey()))
        .isTrue();
    // A missing share, or one from a signer outside the key, is refused.
    Map<Identifier, SignatureShare> missing = new LinkedHashMap<>(shares);
    missing.remove(Identifier.of(4));
    assertReason(
        () -> frost.aggregate(pkg, missing, keys.publicKeyPackage()), Reason.UNKNOWN_IDENTIFIER);
  }

  @ParameterizedTest
  @MethodSource("suites")
  void aggregationRefusesSignersOutsideTheKey(Ciphersuite suite) {
    Frost frost = new Frost(suite);
    TrustedDealer.DealtKeys keys = keys(suite, 3, 2, 8);
    TrustedDealer.DealtKeys bigger = keys(suite, 4, 2, 8);
    RandomSource rnd = Sessions.seeded(9);
    KeyPackage k1 = keys.keyPackages().get(Identifier.of(1));
    KeyPackage k4 = bigger.keyPackages().get(Identifier.of(4));
    SigningNonces n1 = frost.commit(k1, rnd);
    SigningNonces n4 = frost.commit(k4, rnd);
    SigningPackage pkg = SigningPackage.sorted(List.of(n1.commitments(), n4.commitments()), PAYOUT);
    Map<Identifier, SignatureShare> shares =
        Map.of(
            Identifier.of(1), new SignatureShare(Identifier.of(1), BigInteger.ONE),
            Identifier.of(4), new SignatureShare(Identifier.of(4), BigInteger.ONE));
    assertReason(
        () -> frost.aggregate(pkg, shares, keys.publicKeyPackage()), Reason.UNKNOWN_IDENTIFIER);
  }

  @Test
  void identifiersMustBeNonZeroAndInRange() {
    Group g = Ciphersuites.ED25519_SHA512.group();
    assertReason(() -> Identifier.of(0), Reason.INVALID_IDENTIFIER);
    assertReason(() -> Identifier.of(-1), Reason.INVALID_IDENTIFIER);
    assertReason(() -> Identifier.of(Identifier.NUMBER_MAX + 1), Reason.INVALID_IDENTIFIER);
    assertReason(() -> Identifier.ofScalar(g, BigInteger.ZERO), Reason.INVALID_IDENTIFIER);
    assertReason(() -> Identifier.ofScalar(g, g.order()), Reason.INVALID_IDENTIFIER);
    assertReason(() -> Identifier.deserialize(g, new byte[32]), Reason.INVALID_IDENTIFIER);
    assertThat(Identifier.of(Identifier.NUMBER_MAX).value()).isEqualTo(BigInteger.valueOf(65535));
    assertReason(
        () ->
            new Frost(Ciphersuites.ED25519_SHA512)
                .lagrangeAtZero(Identifier.of(1), List.of(Identifier.of(1), Identifier.of(1))),
        Reason.DUPLICATE_IDENTIFIER);
  }

  @Test
  void thresholdMustBeAtLeastTwoAndAtMostN() {
    Ciphersuite s = Ciphersuites.ED25519_SHA512;
    RandomSource r = Sessions.seeded(1);
    assertReason(() -> TrustedDealer.generate(s, 3, 1, r), Reason.INVALID_SIGNER_COUNT);
    assertReason(() -> TrustedDealer.generate(s, 2, 3, r), Reason.INVALID_SIGNER_COUNT);
    assertReason(() -> new Dkg(s).part1(Identifier.of(1), 3, 4, r), Reason.INVALID_SIGNER_COUNT);
    assertThat(TrustedDealer.generate(s, 2, 2, r).keyPackages()).hasSize(2);
  }

  static void assertReason(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            FrostException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }
}
