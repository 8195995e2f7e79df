package io.tpwallet.signing.frost.internal;

import java.util.Random;
import java.util.function.Consumer;

/**
 * Runs a seeded-loop test with the seed from a system property (else the clock) and, when it fails,
 * names the property and seed that replay it.
 */
final class SeededLoop {

  private SeededLoop() {}

  static void run(String seedProperty, Consumer<Random> test) {
    long seed = Long.getLong(seedProperty, System.nanoTime());
    try {
      test.accept(new Random(seed));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("failed with -D" + seedProperty + "=" + seed, e);
    }
  }
}
