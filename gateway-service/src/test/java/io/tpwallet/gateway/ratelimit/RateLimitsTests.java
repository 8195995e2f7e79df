package io.tpwallet.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.ratelimit.RateLimiter;
import reactor.core.publisher.Mono;

class RateLimitsTests {

  static final RateLimitProperties.Quota QUOTA = new RateLimitProperties.Quota(1, 3);

  /** A clock the test moves by hand. */
  static final class Manual extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final Manual clock = new Manual();
  final AtomicInteger redisCalls = new AtomicInteger();

  @Test
  void redisDecidesWhileItAnswers() {
    var limits =
        new RateLimits(
            (bucket, key) -> {
              redisCalls.incrementAndGet();
              return Mono.just(new RateLimiter.Response(key.equals("ok"), Map.of()));
            },
            clock,
            Duration.ofSeconds(10));
    assertThat(limits.allow("b", "ok", QUOTA).block()).isTrue();
    assertThat(limits.allow("b", "no", QUOTA).block()).isFalse();
    assertThat(redisCalls).hasValue(2);
    assertThat(limits.usingLocalBuckets()).isFalse();
  }

  @Test
  void whenRedisFailsTheLocalBucketsLimitUntilTheRetryDelayHasPassed() {
    var limits =
        new RateLimits(
            (bucket, key) -> {
              redisCalls.incrementAndGet();
              // What RedisRateLimiter answers when its call to Redis failed: allowed, -1 left.
              return Mono.just(
                  new RateLimiter.Response(true, Map.of(RateLimits.REMAINING_HEADER, "-1")));
            },
            clock,
            Duration.ofSeconds(10));
    for (int i = 0; i < 3; i++) {
      assertThat(limits.allow("b", "k", QUOTA).block()).as("burst %d", i).isTrue();
    }
    assertThat(limits.allow("b", "k", QUOTA).block()).isFalse();
    assertThat(limits.allow("b", "other", QUOTA).block()).isTrue();
    assertThat(redisCalls).hasValue(1);
    assertThat(limits.usingLocalBuckets()).isTrue();

    clock.now = clock.now.plusSeconds(1);
    assertThat(limits.allow("b", "k", QUOTA).block()).as("one token refilled").isTrue();
    assertThat(limits.allow("b", "k", QUOTA).block()).isFalse();

    clock.now = clock.now.plusSeconds(10);
    limits.allow("b", "k", QUOTA).block();
    assertThat(redisCalls).as("Redis tried again").hasValue(2);
  }

  @Test
  void anErrorOrASilentRedisFallsBackToo() {
    var failing =
        new RateLimits(
            (bucket, key) -> Mono.error(new IllegalStateException("connection refused")),
            clock,
            Duration.ofSeconds(10));
    assertThat(failing.allow("b", "k", QUOTA).block()).isTrue();
    assertThat(failing.usingLocalBuckets()).isTrue();

    var silent = new RateLimits((bucket, key) -> Mono.never(), clock, Duration.ofSeconds(10));
    assertThat(silent.allow("b", "k", QUOTA).block(Duration.ofSeconds(5))).isTrue();
    assertThat(silent.usingLocalBuckets()).isTrue();
  }

  @Test
  void localBucketsAreBoundedAndDropOnlyIdleKeys() {
    var buckets = new LocalTokenBuckets(clock);
    for (int i = 0; i <= LocalTokenBuckets.KEYS_MAX; i++) {
      buckets.tryTake("k" + i, QUOTA);
    }
    clock.now = clock.now.plusSeconds(5);
    buckets.tryTake("fresh", QUOTA);
    assertThat(buckets.size()).isLessThan(10);
  }
}
