package io.tpwallet.signing.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.signing.wire.Wire;
import io.tpwallet.testkit.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class CommitmentPoolTests {

  private final SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));

  private int made;

  private List<Wire.CommitResponse> sessions(int count) {
    List<Wire.CommitResponse> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = made++;
      out.add(new Wire.CommitResponse("s" + n, new Wire.Commitment(1, "h" + n, "b" + n)));
    }
    return out;
  }

  @Test
  void aPooledCommitmentIsTakenOnceAndAllOrNone() {
    var pool = new CommitmentPool(clock, Duration.ofSeconds(20), 8, 10);
    pool.add(1, "k", null, sessions(5));

    assertThat(pool.take(1, "k", null, 6)).isEmpty();
    var first = pool.take(1, "k", null, 3);
    var second = pool.take(1, "k", null, 2);
    assertThat(first).extracting(Wire.CommitResponse::sessionId).containsExactly("s0", "s1", "s2");
    assertThat(second).extracting(Wire.CommitResponse::sessionId).containsExactly("s3", "s4");
    assertThat(pool.take(1, "k", null, 1)).isEmpty();
    // Another node, key or share generation has a pool of its own.
    pool.add(2, "k", null, sessions(1));
    assertThat(pool.take(1, "k", "r1", 1)).isEmpty();
    assertThat(pool.take(1, "other", null, 1)).isEmpty();
    assertThat(pool.take(2, "k", null, 1)).hasSize(1);
  }

  @Test
  void thePoolKeepsAtMostItsBoundAndAsksForTheRest() {
    var pool = new CommitmentPool(clock, Duration.ofSeconds(20), 8, 10);
    assertThat(pool.wanted(1, "k", null)).isEqualTo(8);
    pool.add(1, "k", null, sessions(5));
    assertThat(pool.wanted(1, "k", null)).isEqualTo(3);
    pool.add(1, "k", null, sessions(5));
    assertThat(pool.available(1, "k", null)).isEqualTo(8);
    assertThat(pool.wanted(1, "k", null)).isZero();
  }

  @Test
  void aCommitmentOlderThanItsLifetimeIsNeverHandedOut() {
    var pool = new CommitmentPool(clock, Duration.ofSeconds(20), 8, 10);
    pool.add(1, "k", null, sessions(2));
    clock.advance(Duration.ofSeconds(10));
    pool.add(1, "k", null, sessions(2));
    clock.advance(Duration.ofSeconds(10)); // the first two are 20 s old now

    assertThat(pool.available(1, "k", null)).isEqualTo(2);
    assertThat(pool.take(1, "k", null, 2))
        .extracting(Wire.CommitResponse::sessionId)
        .containsExactly("s2", "s3");
  }

  @Test
  void droppingANodeForgetsAllItsCommitmentsAndNoOthers() {
    var pool = new CommitmentPool(clock, Duration.ofSeconds(20), 8, 10);
    pool.add(1, "k", null, sessions(3));
    pool.add(1, "j", null, sessions(3));
    pool.add(2, "k", null, sessions(3));

    pool.drop(1);

    assertThat(pool.available(1, "k", null)).isZero();
    assertThat(pool.available(1, "j", null)).isZero();
    assertThat(pool.available(2, "k", null)).isEqualTo(3);
  }

  @Test
  void theNumberOfPooledKeysIsBounded() {
    var pool = new CommitmentPool(clock, Duration.ofSeconds(20), 8, 2);
    pool.add(1, "a", null, sessions(1));
    pool.add(1, "b", null, sessions(1));
    pool.add(1, "c", null, sessions(1));
    assertThat(pool.available(1, "c", null)).isZero();
    // An emptied slot makes room.
    pool.take(1, "a", null, 1);
    pool.add(1, "c", null, sessions(1));
    assertThat(pool.available(1, "c", null)).isEqualTo(1);
  }

  @Test
  void concurrentTakersNeverGetTheSameCommitment() throws Exception {
    var pool = new CommitmentPool(clock, Duration.ofSeconds(20), 256, 10);
    pool.add(1, "k", null, sessions(256));
    var threads = Executors.newFixedThreadPool(8);
    List<Callable<List<Wire.CommitResponse>>> calls = new ArrayList<>();
    // 100 takers of 3 from 256: 85 get theirs, the others nothing, nobody a commitment twice.
    for (int i = 0; i < 100; i++) {
      calls.add(() -> pool.take(1, "k", null, 3));
    }
    Set<String> seen = new HashSet<>();
    int taken = 0;
    try {
      for (var f : threads.invokeAll(calls)) {
        for (var s : f.get()) {
          taken++;
          seen.add(s.sessionId());
        }
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(taken).isEqualTo(255);
    assertThat(seen).hasSize(255);
  }
}
