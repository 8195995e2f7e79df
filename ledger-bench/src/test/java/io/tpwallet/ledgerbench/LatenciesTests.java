package io.tpwallet.ledgerbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The driver's percentiles: nearest rank, exact, over merged per-thread samples. */
class LatenciesTests {

  @Test
  void percentilesOfOneToAHundredAreTheirRanks() {
    Latencies l = new Latencies(1000);
    for (long v = 100; v >= 1; v--) {
      l.record(v);
    }
    assertThat(l.percentile(50)).isEqualTo(50);
    assertThat(l.percentile(99)).isEqualTo(99);
    assertThat(l.percentile(99.9)).isEqualTo(100);
    assertThat(l.percentile(100)).isEqualTo(100);
    assertThat(l.percentile(0.5)).isEqualTo(1);
  }

  @Test
  void mergedSamplesGiveTheSamePercentilesAsOneListSeededLoop() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int round = 0; round < 50; round++) {
      int parts = 1 + random.nextInt(8);
      List<Latencies> threads = new ArrayList<>();
      List<Long> all = new ArrayList<>();
      for (int p = 0; p < parts; p++) {
        Latencies t = new Latencies(5000);
        int n = random.nextInt(3000);
        for (int i = 0; i < n; i++) {
          long v = (long) Math.abs(random.nextGaussian() * 1_000_000);
          t.record(v);
          all.add(v);
        }
        threads.add(t);
      }
      if (all.isEmpty()) {
        continue;
      }
      long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
      Latencies merged = Latencies.merge(threads);
      assertThat(merged.count()).as("seed %d", seed).isEqualTo(sorted.length);
      for (double p : new double[] {50, 99, 99.9}) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        assertThat(merged.percentile(p))
            .as("seed %d round %d p%s of %s", seed, round, p, Arrays.toString(sorted).length())
            .isEqualTo(sorted[Math.max(1, rank) - 1]);
      }
    }
  }

  @Test
  void recordingStopsAtTheBoundAndBadInputIsRefused() {
    Latencies l = new Latencies(3);
    assertThat(l.record(1)).isTrue();
    assertThat(l.record(2)).isTrue();
    assertThat(l.record(3)).isTrue();
    assertThat(l.record(4)).isFalse();
    assertThat(l.count()).isEqualTo(3);
    assertThatThrownBy(() -> l.record(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> l.percentile(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Latencies(5).percentile(50))
        .isInstanceOf(IllegalStateException.class);
  }
}
