package io.tpwallet.signing.bench;

import io.tpwallet.signing.frost.Ciphersuites;
import io.tpwallet.signing.frost.Group;
import io.tpwallet.signing.frost.RandomSource;
import java.math.BigInteger;

/**
 * Time to decode one FROST-ED25519-SHA512-v1 element (RFC 9591 DeserializeElement: y, x by a square
 * root, and the prime-order subgroup check, which dominates it), in one JVM thread.
 *
 * <p>Run: {@code java -Dloader.main=io.tpwallet.signing.bench.ElementDecodeTimings -cp
 * signing-service.jar org.springframework.boot.loader.launch.PropertiesLauncher [rounds]}. Each
 * round decodes {@link #POINTS} distinct encodings of prime-order points; prints the median and
 * minimum over the rounds of the time per decode, in microseconds, after as many warm-up rounds.
 */
public final class ElementDecodeTimings {

  static final int POINTS = 1_000;
  static final int ROUNDS_DEFAULT = 20;
  static final int ROUNDS_MAX = 1_000;

  private ElementDecodeTimings() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : ROUNDS_DEFAULT;
    if (rounds < 1 || rounds > ROUNDS_MAX) {
      throw new IllegalArgumentException("rounds must be 1.." + ROUNDS_MAX);
    }
    Group group = Ciphersuites.ED25519_SHA512.group();
    RandomSource random = RandomSource.secure();
    byte[][] encodings = new byte[POINTS][];
    byte[] scalar = new byte[32];
    for (int i = 0; i < POINTS; i++) {
      random.nextBytes(scalar);
      BigInteger k = new BigInteger(1, scalar).mod(group.order());
      encodings[i] = group.serializeElement(group.multiplyBase(k.max(BigInteger.ONE)));
    }
    long[] perDecodeNanos = new long[rounds];
    long sink = 0;
    for (int round = -rounds; round < rounds; round++) {
      long start = System.nanoTime();
      for (byte[] encoding : encodings) {
        sink += group.deserializeElement(encoding).hashCode();
      }
      long elapsed = System.nanoTime() - start;
      if (round >= 0) {
        perDecodeNanos[round] = elapsed / POINTS;
      }
    }
    java.util.Arrays.sort(perDecodeNanos);
    System.out.printf(
        "Ed25519 deserializeElement, us per element: median %.1f, min %.1f (%d rounds of %d after"
            + " %d warm-up rounds; %s %s, %d cpus; checksum %d)%n",
        FrostTimings.percentile(perDecodeNanos, 50) / 1_000.0,
        perDecodeNanos[0] / 1_000.0,
        rounds,
        POINTS,
        rounds,
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        sink);
  }
}
