package io.tpwallet.signing.frost;

import static io.tpwallet.signing.frost.FrostSigningTests.assertReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.signing.frost.FrostException.Reason;
import io.tpwallet.signing.frost.internal.Secp256k1Group;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Dealerless key generation end to end, with cheating participants and a lying coordinator. */
class DkgTests {

  private static final byte[] MESSAGE = "transfer 10 SOL".getBytes(StandardCharsets.UTF_8);

  /** All participants' round outputs, as a test-side stand-in for the network. */
  record Run(
      SortedMap<Identifier, Dkg.Round1> round1,
      SortedMap<Identifier, Dkg.Round2> round2,
      SortedMap<Identifier, Dkg.Result> results) {}

  static Stream<Arguments> sizes() {
    List<Arguments> out = new ArrayList<>();
    for (Ciphersuite s : Ciphersuites.all()) {
      out.add(Arguments.of(s, 3, 2));
      out.add(Arguments.of(s, 5, 3));
    }
    return out.stream();
  }

  static SortedMap<Identifier, Dkg.Round1> round1(Dkg dkg, int n, int t, RandomSource rnd) {
    SortedMap<Identifier, Dkg.Round1> r1 = new TreeMap<>();
    for (int i = 1; i <= n; i++) {
      r1.put(Identifier.of(i), dkg.part1(Identifier.of(i), n, t, rnd));
    }
    return r1;
  }

  static Map<Identifier, Dkg.Round1Package> othersOf(
      Identifier self, Map<Identifier, Dkg.Round1> r1) {
    Map<Identifier, Dkg.Round1Package> out = new TreeMap<>();
    r1.forEach(
        (id, r) -> {
          if (!id.equals(self)) {
            out.put(id, r.broadcast());
          }
        });
    return out;
  }

  static Map<Identifier, Dkg.Round2Package> sharesFor(
      Identifier self, Map<Identifier, Dkg.Round2> r2) {
    Map<Identifier, Dkg.Round2Package> out = new TreeMap<>();
    r2.forEach(
        (id, r) -> {
          if (!id.equals(self)) {
            out.put(id, r.outgoing().get(self));
          }
        });
    return out;
  }

  static Run run(Ciphersuite suite, int n, int t, RandomSource rnd) {
    Dkg dkg = new Dkg(suite);
    SortedMap<Identifier, Dkg.Round1> r1 = round1(dkg, n, t, rnd);
    SortedMap<Identifier, Dkg.Round2> r2 = new TreeMap<>();
    r1.forEach((id, r) -> r2.put(id, dkg.part2(r.secret(), othersOf(id, r1))));
    SortedMap<Identifier, Dkg.Result> results = new TreeMap<>();
    r2.forEach(
        (id, r) -> results.put(id, dkg.part3(r.secret(), othersOf(id, r1), sharesFor(id, r2))));
    return new Run(r1, r2, results);
  }

  @ParameterizedTest(name = "{0} {2}-of-{1}")
  @MethodSource("sizes")
  void dkgKeySignsWithEverySubsetOfThresholdSize(Ciphersuite suite, int n, int t) {
    Run run = run(suite, n, t, Sessions.seeded(n * 31L + t));
    PublicKeyPackage pub = run.results().get(Identifier.of(1)).publicKeyPackage();
    // Everyone agrees on the public side.
    run.results().values().forEach(r -> assertThat(r.publicKeyPackage()).isEqualTo(pub));
    run.results()
        .forEach(
            (id, r) ->
                assertThat(pub.verifyingShares().get(id))
                    .isEqualTo(r.keyPackage().verifyingShare()));

    List<List<Integer>> subsets =
        t == 2
            ? List.of(List.of(1, 2), List.of(1, 3), List.of(2, 3), List.of(1, 2, 3))
            : List.of(List.of(1, 2, 3), List.of(1, 4, 5), List.of(2, 3, 5), List.of(1, 2, 3, 4, 5));
    int seed = 0;
    for (List<Integer> subset : subsets) {
      List<KeyPackage> signers =
          subset.stream().map(i -> run.results().get(Identifier.of(i)).keyPackage()).toList();
      byte[] sig = Sessions.sign(suite, signers, pub, MESSAGE, Sessions.seeded(seed++));
      assertThat(new Frost(suite).verify(MESSAGE, sig, pub.verifyingKey())).isTrue();
      assertThat(IndependentVerifiers.verify(suite, pub.verifyingKey(), MESSAGE, sig))
          .as("%s signed by %s", suite.id(), subset)
          .isTrue();
    }
    // The shares interpolate to the key: t of them reconstruct it, which no node ever does.
    Frost frost = new Frost(suite);
    List<Identifier> ids = new ArrayList<>();
    for (int i = 1; i <= t; i++) {
      ids.add(Identifier.of(i));
    }
    BigInteger secret = BigInteger.ZERO;
    for (Identifier id : ids) {
      BigInteger share = run.results().get(id).keyPackage().signingShare();
      secret = secret.add(frost.lagrangeAtZero(id, ids).multiply(share));
    }
    Element rebuilt = suite.group().multiplyBase(secret.mod(suite.group().order()));
    assertThat(rebuilt).isEqualTo(pub.verifyingKey());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tpwallet.signing.frost.FrostSigningTests#suites")
  void aBadProofOfKnowledgeIsBlamedOnItsSender(Ciphersuite suite) {
    Dkg dkg = new Dkg(suite);
    SortedMap<Identifier, Dkg.Round1> r1 = round1(dkg, 3, 2, Sessions.seeded(21));
    Identifier cheater = Identifier.of(2);
    Dkg.Round1Package honest = r1.get(cheater).broadcast();
    Map<Identifier, Dkg.Round1Package> received = new TreeMap<>(othersOf(Identifier.of(1), r1));
    received.put(
        cheater,
        new Dkg.Round1Package(
            honest.commitment(), honest.proofR(), honest.proofZ().add(BigInteger.ONE)));
    assertBlames(
        () -> dkg.part2(r1.get(Identifier.of(1)).secret(), received),
        Reason.INVALID_PROOF_OF_KNOWLEDGE,
        cheater);

    // A rogue key: replacing the commitment with someone else's constant term without the proof.
    Map<Identifier, Dkg.Round1Package> rogue = new TreeMap<>(othersOf(Identifier.of(1), r1));
    List<Element> stolen = new ArrayList<>(honest.commitment());
    stolen.set(0, r1.get(Identifier.of(3)).broadcast().commitment().get(0).negate());
    rogue.put(cheater, new Dkg.Round1Package(stolen, honest.proofR(), honest.proofZ()));
    assertBlames(
        () -> dkg.part2(r1.get(Identifier.of(1)).secret(), rogue),
        Reason.INVALID_PROOF_OF_KNOWLEDGE,
        cheater);

    // A polynomial of the wrong degree.
    Map<Identifier, Dkg.Round1Package> degree = new TreeMap<>(othersOf(Identifier.of(1), r1));
    List<Element> longer = new ArrayList<>(honest.commitment());
    longer.add(suite.group().generator());
    degree.put(cheater, new Dkg.Round1Package(longer, honest.proofR(), honest.proofZ()));
    assertBlames(
        () -> dkg.part2(r1.get(Identifier.of(1)).secret(), degree),
        Reason.INCORRECT_PACKAGES,
        cheater);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tpwallet.signing.frost.FrostSigningTests#suites")
  void aBadSecretShareIsBlamedOnItsSender(Ciphersuite suite) {
    Dkg dkg = new Dkg(suite);
    SortedMap<Identifier, Dkg.Round1> r1 = round1(dkg, 5, 3, Sessions.seeded(22));
    SortedMap<Identifier, Dkg.Round2> r2 = new TreeMap<>();
    r1.forEach((id, r) -> r2.put(id, dkg.part2(r.secret(), othersOf(id, r1))));
    Identifier victim = Identifier.of(4);
    Identifier cheater = Identifier.of(3);
    Map<Identifier, Dkg.Round2Package> shares = new TreeMap<>(sharesFor(victim, r2));
    shares.put(
        cheater, new Dkg.Round2Package(shares.get(cheater).signingShare().add(BigInteger.ONE)));
    assertBlames(
        () -> dkg.part3(r2.get(victim).secret(), othersOf(victim, r1), shares),
        Reason.INVALID_SECRET_SHARE,
        cheater);
    // A missing package and a package claiming to be from oneself are refused.
    Map<Identifier, Dkg.Round2Package> fewer = new TreeMap<>(sharesFor(victim, r2));
    fewer.remove(cheater);
    assertReason(
        () -> dkg.part3(r2.get(victim).secret(), othersOf(victim, r1), fewer),
        Reason.INCORRECT_PACKAGES);
    Map<Identifier, Dkg.Round1Package> withSelf = new TreeMap<>(othersOf(victim, r1));
    withSelf.remove(cheater);
    withSelf.put(victim, r1.get(victim).broadcast());
    assertReason(() -> dkg.part2(r1.get(victim).secret(), withSelf), Reason.INCORRECT_PACKAGES);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tpwallet.signing.frost.FrostSigningTests#suites")
  void echoCheckCatchesACoordinatorThatEquivocates(Ciphersuite suite) {
    Dkg dkg = new Dkg(suite);
    SortedMap<Identifier, Dkg.Round1> r1 = round1(dkg, 3, 2, Sessions.seeded(23));
    Map<Identifier, Dkg.Round1Package> honestView = new TreeMap<>();
    r1.forEach((id, r) -> honestView.put(id, r.broadcast()));
    // The coordinator shows participant 3 another (validly proven) package for participant 2.
    Dkg.Round1 substitute = dkg.part1(Identifier.of(2), 3, 2, Sessions.seeded(99));
    Map<Identifier, Dkg.Round1Package> forgedView = new TreeMap<>(honestView);
    forgedView.put(Identifier.of(2), substitute.broadcast());
    dkg.part2(
        r1.get(Identifier.of(3)).secret(), othersOf(Identifier.of(3), toRound1(forgedView, r1)));

    byte[] d1 = DkgEcho.digest(suite, honestView);
    byte[] d2 = DkgEcho.digest(suite, honestView);
    byte[] d3 = DkgEcho.digest(suite, forgedView);
    DkgEcho.verify(d1, Map.of(Identifier.of(2), d2));
    assertBlames(
        () -> DkgEcho.verify(d1, Map.of(Identifier.of(2), d2, Identifier.of(3), d3)),
        Reason.ECHO_MISMATCH,
        Identifier.of(3));
  }

  private static Map<Identifier, Dkg.Round1> toRound1(
      Map<Identifier, Dkg.Round1Package> view, Map<Identifier, Dkg.Round1> real) {
    Map<Identifier, Dkg.Round1> out = new TreeMap<>();
    view.forEach((id, pkg) -> out.put(id, new Dkg.Round1(real.get(id).secret(), pkg)));
    return out;
  }

  static void assertBlames(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Reason reason, Identifier who) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            FrostException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.culprits()).containsExactly(who);
            });
  }

  @org.junit.jupiter.api.Test
  void taprootDkgKeyIsTweaked() {
    Ciphersuite suite = Ciphersuites.SECP256K1_SHA256_TR;
    Run run = run(suite, 3, 2, Sessions.seeded(24));
    // Summing the untweaked constant terms gives P; the DKG's key must be P's BIP-341 output key.
    Element p = suite.group().identity();
    for (Dkg.Round1 r : run.round1().values()) {
      p = p.add(r.broadcast().commitment().get(0));
    }
    var tr = (io.tpwallet.signing.frost.internal.Secp256k1Sha256Tr) suite;
    Element evenP = Secp256k1Group.INSTANCE.hasEvenY(p) ? p : p.negate();
    Element q = evenP.add(suite.group().multiplyBase(tr.tapTweak(p)));
    assertThat(run.results().get(Identifier.of(1)).publicKeyPackage().verifyingKey()).isEqualTo(q);
  }
}
