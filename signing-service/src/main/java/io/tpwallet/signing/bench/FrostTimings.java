package io.tpwallet.signing.bench;

import io.tpwallet.signing.frost.Ciphersuite;
import io.tpwallet.signing.frost.Ciphersuites;
import io.tpwallet.signing.frost.Dkg;
import io.tpwallet.signing.frost.DkgEcho;
import io.tpwallet.signing.frost.Frost;
import io.tpwallet.signing.frost.Identifier;
import io.tpwallet.signing.frost.KeyPackage;
import io.tpwallet.signing.frost.RandomSource;
import io.tpwallet.signing.frost.SignatureShare;
import io.tpwallet.signing.frost.SigningCommitments;
import io.tpwallet.signing.frost.SigningNonces;
import io.tpwallet.signing.frost.SigningPackage;
import io.tpwallet.signing.frost.TrustedDealer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Compute time of each FROST step in this JVM, one thread, no network or database: the figures to
 * put next to the Zcash Foundation's published per-step timings (their criterion benchmarks: key
 * generation with a dealer, round one and round two per signer, aggregate at the coordinator), plus
 * our dealerless DKG for all n participants.
 *
 * <p>Run: {@code ./tpw bench signing} (or {@code java -Dloader.main=io.tpwallet.signing.bench
 * .FrostTimings -cp signing-service.jar org.springframework.boot.loader.launch.PropertiesLauncher
 * [iterations]}). Prints the median and p99 in milliseconds over the iterations, after as many
 * warm-up iterations. Bounded: at most {@link #ITERATIONS_MAX} per step.
 */
public final class FrostTimings {

  static final int ITERATIONS_DEFAULT = 300;
  static final int ITERATIONS_MAX = 10_000;
  static final int[][] SHAPES = {{2, 3}, {3, 5}};
  static final List<Ciphersuite> SUITES =
      List.of(Ciphersuites.ED25519_SHA512, Ciphersuites.SECP256K1_SHA256_TR);

  private final RandomSource random;
  private final int iterations;

  FrostTimings(RandomSource random, int iterations) {
    this.random = random;
    this.iterations = iterations;
  }

  public static void main(String[] args) {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : ITERATIONS_DEFAULT;
    if (iterations < 1 || iterations > ITERATIONS_MAX) {
      throw new IllegalArgumentException("iterations must be 1.." + ITERATIONS_MAX);
    }
    new FrostTimings(RandomSource.secure(), iterations).run();
  }

  void run() {
    System.out.printf(
        "FROST compute time per step, ms (median / p99 of %d runs after %d warm-up runs), %s, %d"
            + " cpus%n",
        iterations,
        iterations,
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "%-30s %-6s %17s %17s %17s %17s %17s%n",
        "suite",
        "t-of-n",
        "dealer keygen",
        "DKG (all n)",
        "round 1/signer",
        "round 2/signer",
        "aggregate");
    for (Ciphersuite suite : SUITES) {
      for (int[] shape : SHAPES) {
        row(suite, shape[0], shape[1]);
      }
    }
  }

  private void row(Ciphersuite suite, int t, int n) {
    Frost frost = new Frost(suite);
    byte[] message = new byte[32];
    random.nextBytes(message);
    TrustedDealer.DealtKeys pub = TrustedDealer.generate(suite, n, t, random);
    SortedMap<Identifier, KeyPackage> signers = new TreeMap<>();
    pub.keyPackages().entrySet().stream()
        .limit(t)
        .forEach(e -> signers.put(e.getKey(), e.getValue()));
    String dealer = time(() -> timed(() -> TrustedDealer.generate(suite, n, t, random)));
    String dkg = time(() -> timed(() -> dkg(suite, t, n)));
    KeyPackage first = signers.values().iterator().next();
    String round1 = time(() -> timed(() -> frost.commit(first, random).destroy()));
    // Round two and aggregate need a fresh signing package each time: nonces are single-use.
    long[] round2 = new long[2 * iterations];
    long[] aggregate = new long[2 * iterations];
    for (int i = 0; i < 2 * iterations; i++) {
      Map<Identifier, SigningNonces> nonces = new LinkedHashMap<>();
      List<SigningCommitments> commitments = new ArrayList<>();
      for (KeyPackage k : signers.values()) {
        SigningNonces made = frost.commit(k, random);
        nonces.put(k.identifier(), made);
        commitments.add(made.commitments());
      }
      SigningPackage signingPackage = SigningPackage.sorted(commitments, message);
      Map<Identifier, SignatureShare> shares = new LinkedHashMap<>();
      long started = System.nanoTime();
      for (KeyPackage k : signers.values()) {
        shares.put(k.identifier(), frost.sign(signingPackage, nonces.get(k.identifier()), k));
      }
      round2[i] = (System.nanoTime() - started) / t;
      started = System.nanoTime();
      frost.aggregate(signingPackage, shares, pub.publicKeyPackage());
      aggregate[i] = System.nanoTime() - started;
    }
    System.out.printf(
        "%-30s %-6s %17s %17s %17s %17s %17s%n",
        suite.id(),
        t + "-of-" + n,
        dealer,
        dkg,
        round1,
        summary(Arrays.copyOfRange(round2, iterations, 2 * iterations)),
        summary(Arrays.copyOfRange(aggregate, iterations, 2 * iterations)));
  }

  /** One whole dealerless DKG, every participant's three parts and the echo check, in turn. */
  private void dkg(Ciphersuite suite, int t, int n) {
    Dkg dkg = new Dkg(suite);
    Map<Identifier, Dkg.Round1> round1 = new TreeMap<>();
    for (int i = 1; i <= n; i++) {
      round1.put(Identifier.of(i), dkg.part1(Identifier.of(i), n, t, random));
    }
    Map<Identifier, Dkg.Round1Package> broadcast = new TreeMap<>();
    round1.forEach((id, r) -> broadcast.put(id, r.broadcast()));
    // Each participant computes the echo digest and compares it with every peer's.
    Map<Identifier, byte[]> echoes = new TreeMap<>();
    round1.keySet().forEach(id -> echoes.put(id, DkgEcho.digest(suite, broadcast)));
    Map<Identifier, Dkg.Round2> round2 = new TreeMap<>();
    for (Identifier id : round1.keySet()) {
      DkgEcho.verify(echoes.get(id), others(echoes, id));
      round2.put(id, dkg.part2(round1.get(id).secret(), others(broadcast, id)));
    }
    for (Identifier id : round1.keySet()) {
      Map<Identifier, Dkg.Round2Package> toMe = new TreeMap<>();
      round2.forEach(
          (sender, r) -> {
            if (!sender.equals(id)) {
              toMe.put(sender, r.outgoing().get(id));
            }
          });
      dkg.part3(round2.get(id).secret(), others(broadcast, id), toMe);
    }
  }

  private static <V> Map<Identifier, V> others(Map<Identifier, V> all, Identifier self) {
    Map<Identifier, V> result = new TreeMap<>(all);
    result.remove(self);
    return result;
  }

  private String time(LongSupplier once) {
    long[] samples = new long[iterations];
    for (int i = 0; i < iterations; i++) {
      once.getAsLong();
    }
    for (int i = 0; i < iterations; i++) {
      samples[i] = once.getAsLong();
    }
    return summary(samples);
  }

  private static long timed(Runnable step) {
    long started = System.nanoTime();
    step.run();
    return System.nanoTime() - started;
  }

  static String summary(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return String.format(
        "%.3f / %.3f", millis(percentile(sorted, 50)), millis(percentile(sorted, 99)));
  }

  /** Nearest-rank percentile of sorted samples. */
  static long percentile(long[] sorted, int percent) {
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static double millis(long nanos) {
    return nanos / 1_000_000.0;
  }
}
