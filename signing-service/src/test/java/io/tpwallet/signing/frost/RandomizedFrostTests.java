package io.tpwallet.signing.frost;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A seeded property loop: random suite, t-of-n, key source (dealer or DKG), signer subset and
 * message; every signature must verify with the outside verifier and a flipped message must not.
 * The seed is printed on failure so that the case can be replayed with {@code -Dfrost.seed=...}.
 */
class RandomizedFrostTests {

  private static final int ROUNDS = 24;
  private static final int SIGNERS_MAX = 6;

  @Test
  void randomThresholdsSubsetsAndMessagesVerify() {
    long base = Long.getLong("frost.seed", System.nanoTime());
    for (int round = 0; round < ROUNDS; round++) {
      long seed = base + round;
      try {
        runOnce(seed);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("failed with -Dfrost.seed=" + seed + " (round " + round + ")", e);
      }
    }
  }

  private static void runOnce(long seed) {
    Random random = new Random(seed);
    RandomSource source = random::nextBytes;
    List<Ciphersuite> suites = Ciphersuites.all();
    Ciphersuite suite = suites.get(random.nextInt(suites.size()));
    int n = 2 + random.nextInt(SIGNERS_MAX - 1);
    int t = 2 + random.nextInt(n - 1);
    PublicKeyPackage pub;
    List<KeyPackage> keys = new ArrayList<>();
    if (random.nextBoolean()) {
      TrustedDealer.DealtKeys dealt = TrustedDealer.generate(suite, n, t, source);
      pub = dealt.publicKeyPackage();
      keys.addAll(dealt.keyPackages().values());
    } else {
      DkgTests.Run run = DkgTests.run(suite, n, t, source);
      pub = run.results().get(Identifier.of(1)).publicKeyPackage();
      run.results().values().forEach(r -> keys.add(r.keyPackage()));
    }
    Collections.shuffle(keys, random);
    List<KeyPackage> signers = keys.subList(0, t + random.nextInt(n - t + 1));
    byte[] message = new byte[random.nextInt(200)];
    random.nextBytes(message);
    byte[] sig = Sessions.sign(suite, signers, pub, message, source);
    assertThat(IndependentVerifiers.verify(suite, pub.verifyingKey(), message, sig))
        .as("%s %d-of-%d, %d signers", suite.id(), t, n, signers.size())
        .isTrue();
    byte[] other = message.length == 0 ? new byte[] {1} : message.clone();
    other[0] ^= 1;
    assertThat(IndependentVerifiers.verify(suite, pub.verifyingKey(), other, sig)).isFalse();
  }
}
