package io.tpwallet.signing.frost;

import static io.tpwallet.signing.frost.DkgTests.assertBlames;
import static io.tpwallet.signing.frost.FrostSigningTests.assertReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.signing.frost.FrostException.Reason;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Share refresh keeps the key and retires old shares; repair restores a lost share. */
class RefreshAndRepairTests {

  private static final byte[] MESSAGE = "refresh test".getBytes(StandardCharsets.UTF_8);

  record Refreshed(SortedMap<Identifier, Dkg.Result> results) {}

  static Refreshed refresh(
      Ciphersuite suite,
      Map<Identifier, KeyPackage> keys,
      PublicKeyPackage pub,
      RandomSource rnd,
      Identifier cheater,
      Identifier victim) {
    Refresh refresh = new Refresh(suite);
    int n = keys.size();
    SortedMap<Identifier, Refresh.Round1> r1 = new TreeMap<>();
    keys.keySet().forEach(id -> r1.put(id, refresh.part1(id, n, pub.minSigners(), rnd)));
    SortedMap<Identifier, Refresh.Round2> r2 = new TreeMap<>();
    r1.forEach((id, r) -> r2.put(id, refresh.part2(r.secret(), broadcastsExcept(id, r1))));
    SortedMap<Identifier, Dkg.Result> results = new TreeMap<>();
    for (Identifier id : keys.keySet()) {
      Map<Identifier, Dkg.Round2Package> in = new TreeMap<>();
      r2.forEach(
          (from, r) -> {
            if (!from.equals(id)) {
              in.put(from, r.outgoing().get(id));
            }
          });
      if (id.equals(victim)) {
        in.put(cheater, new Dkg.Round2Package(in.get(cheater).signingShare().add(BigInteger.TWO)));
      }
      results.put(
          id, refresh.part3(r2.get(id).secret(), broadcastsExcept(id, r1), in, keys.get(id), pub));
    }
    return new Refreshed(results);
  }

  private static Map<Identifier, Refresh.Round1Package> broadcastsExcept(
      Identifier self, Map<Identifier, Refresh.Round1> r1) {
    Map<Identifier, Refresh.Round1Package> out = new TreeMap<>();
    r1.forEach(
        (id, r) -> {
          if (!id.equals(self)) {
            out.put(id, r.broadcast());
          }
        });
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tpwallet.signing.frost.FrostSigningTests#suites")
  void refreshKeepsTheKeyAndRetiresOldShares(Ciphersuite suite) {
    DkgTests.Run dkg = DkgTests.run(suite, 3, 2, Sessions.seeded(41));
    PublicKeyPackage pub = dkg.results().get(Identifier.of(1)).publicKeyPackage();
    Map<Identifier, KeyPackage> oldKeys = new TreeMap<>();
    dkg.results().forEach((id, r) -> oldKeys.put(id, r.keyPackage()));

    Refreshed fresh = refresh(suite, oldKeys, pub, Sessions.seeded(42), null, null);
    PublicKeyPackage newPub = fresh.results().get(Identifier.of(1)).publicKeyPackage();
    assertThat(newPub.verifyingKey()).isEqualTo(pub.verifyingKey());
    fresh.results().values().forEach(r -> assertThat(r.publicKeyPackage()).isEqualTo(newPub));
    KeyPackage new1 = fresh.results().get(Identifier.of(1)).keyPackage();
    KeyPackage new3 = fresh.results().get(Identifier.of(3)).keyPackage();
    assertThat(new1.signingShare()).isNotEqualTo(oldKeys.get(Identifier.of(1)).signingShare());

    // The test signature with the new shares, which must succeed before old shares are destroyed.
    byte[] sig = Sessions.sign(suite, List.of(new1, new3), newPub, MESSAGE, Sessions.seeded(43));
    assertThat(IndependentVerifiers.verify(suite, pub.verifyingKey(), MESSAGE, sig)).isTrue();

    // An old share mixed with a new one no longer signs: a share stolen before is worthless.
    assertThatThrownBy(
            () ->
                Sessions.sign(
                    suite,
                    List.of(oldKeys.get(Identifier.of(2)), new3),
                    newPub,
                    MESSAGE,
                    Sessions.seeded(44)))
        .isInstanceOfSatisfying(
            FrostException.class, e -> assertThat(e.culprits()).containsExactly(Identifier.of(2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tpwallet.signing.frost.FrostSigningTests#suites")
  void aBadRefreshingShareIsBlamedOnItsSender(Ciphersuite suite) {
    TrustedDealer.DealtKeys keys = TrustedDealer.generate(suite, 4, 3, Sessions.seeded(45));
    assertBlames(
        () ->
            refresh(
                suite,
                keys.keyPackages(),
                keys.publicKeyPackage(),
                Sessions.seeded(46),
                Identifier.of(2),
                Identifier.of(4)),
        Reason.INVALID_SECRET_SHARE,
        Identifier.of(2));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tpwallet.signing.frost.FrostSigningTests#suites")
  void threeHelpersRepairALostShare(Ciphersuite suite) {
    DkgTests.Run dkg = DkgTests.run(suite, 5, 3, Sessions.seeded(47));
    PublicKeyPackage pub = dkg.results().get(Identifier.of(1)).publicKeyPackage();
    Identifier lost = Identifier.of(2);
    List<Identifier> helpers = List.of(Identifier.of(1), Identifier.of(4), Identifier.of(5));
    Repair repair = new Repair(suite);
    RandomSource rnd = Sessions.seeded(48);

    Map<Identifier, Map<Identifier, BigInteger>> received = new TreeMap<>();
    for (Identifier h : helpers) {
      repair
          .step1(helpers, dkg.results().get(h).keyPackage(), lost, rnd)
          .forEach((to, piece) -> received.computeIfAbsent(to, k -> new TreeMap<>()).put(h, piece));
    }
    Map<Identifier, BigInteger> sums = new TreeMap<>();
    received.forEach((h, pieces) -> sums.put(h, repair.step2(pieces.values())));
    KeyPackage repaired = repair.step3(sums, lost, pub);
    assertThat(repaired.signingShare())
        .isEqualTo(dkg.results().get(lost).keyPackage().signingShare());
    assertThat(repaired).isEqualTo(dkg.results().get(lost).keyPackage());

    byte[] sig =
        Sessions.sign(
            suite,
            List.of(
                repaired,
                dkg.results().get(Identifier.of(3)).keyPackage(),
                dkg.results().get(Identifier.of(5)).keyPackage()),
            pub,
            MESSAGE,
            rnd);
    assertThat(IndependentVerifiers.verify(suite, pub.verifyingKey(), MESSAGE, sig)).isTrue();

    // A wrong sum is caught against the verifying share.
    Map<Identifier, BigInteger> wrong = new TreeMap<>(sums);
    wrong.put(Identifier.of(4), wrong.get(Identifier.of(4)).add(BigInteger.ONE));
    assertReason(() -> repair.step3(wrong, lost, pub), Reason.INVALID_SECRET_SHARE);
    // Too few helpers, or the lost participant among them, is refused.
    KeyPackage h1 = dkg.results().get(Identifier.of(1)).keyPackage();
    assertReason(
        () -> repair.step1(List.of(Identifier.of(1), Identifier.of(4)), h1, lost, rnd),
        Reason.INVALID_SIGNER_COUNT);
    assertReason(
        () ->
            repair.step1(
                new ArrayList<>(List.of(Identifier.of(1), lost, Identifier.of(5))), h1, lost, rnd),
        Reason.INCORRECT_PACKAGES);
  }
}
