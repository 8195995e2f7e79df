package io.tpwallet.ledgerbench;

import java.util.Arrays;

/**
 * The latencies of one phase, in nanoseconds: a bounded array (the phase is bounded in count), so
 * percentiles are exact rather than bucketed. One instance per client thread; {@link #merge}d at
 * the end of the phase.
 */
final class Latencies {

  private long[] samples;
  private int count;
  private final int samplesMax;

  Latencies(int samplesMax) {
    if (samplesMax < 1) {
      throw new IllegalArgumentException("samplesMax must be at least 1: " + samplesMax);
    }
    this.samplesMax = samplesMax;
    this.samples = new long[Math.min(samplesMax, 1024)];
  }

  /** Records one latency; returns false (and records nothing) once the bound is reached. */
  boolean record(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("a latency is not negative: " + nanos);
    }
    if (count == samplesMax) {
      return false;
    }
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, (int) Math.min(samplesMax, 2L * samples.length));
    }
    samples[count++] = nanos;
    return true;
  }

  int count() {
    return count;
  }

  /** All samples of {@code parts} in one, for percentiles over the whole phase. */
  static Latencies merge(Iterable<Latencies> parts) {
    int total = 0;
    for (Latencies p : parts) {
      total += p.count;
    }
    Latencies all = new Latencies(Math.max(1, total));
    all.samples = new long[Math.max(1, total)];
    for (Latencies p : parts) {
      System.arraycopy(p.samples, 0, all.samples, all.count, p.count);
      all.count += p.count;
    }
    return all;
  }

  /**
   * The nearest-rank percentile: the smallest sample such that at least {@code p} percent of the
   * samples are at or below it. {@code p} in (0, 100].
   */
  long percentile(double p) {
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("a percentile is in (0, 100]: " + p);
    }
    if (count == 0) {
      throw new IllegalStateException("no samples");
    }
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * count);
    return sorted[Math.max(1, rank) - 1];
  }
}
