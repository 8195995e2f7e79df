package io.tpwallet.gateway.ratelimit;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets in this process, used while Redis is unreachable. Each gateway instance then limits
 * on its own, so the effective limit is the quota times the number of instances: better than no
 * limit, and better than refusing everyone.
 */
final class LocalTokenBuckets {

  /** Beyond this many keys the full (idle) buckets are dropped: they carry no state. */
  static final int KEYS_MAX = 100_000;

  private final Clock clock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  LocalTokenBuckets(Clock clock) {
    this.clock = clock;
  }

  private static final class Bucket {
    double tokens;
    long lastNanos;
    final int burst;

    Bucket(int burst, long now) {
      this.tokens = burst;
      this.lastNanos = now;
      this.burst = burst;
    }
  }

  /** Takes one token from the key's bucket; false when it is empty. */
  boolean tryTake(String key, RateLimitProperties.Quota quota) {
    long now = clock.millis() * 1_000_000L;
    if (buckets.size() > KEYS_MAX) {
      evictIdle(now, quota);
    }
    Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(quota.burstCapacity(), now));
    synchronized (bucket) {
      refill(bucket, now, quota);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return true;
      }
      return false;
    }
  }

  int size() {
    return buckets.size();
  }

  private static void refill(Bucket bucket, long now, RateLimitProperties.Quota quota) {
    long elapsed = Math.max(0, now - bucket.lastNanos);
    bucket.tokens = Math.min(bucket.burst, bucket.tokens + elapsed / 1e9 * quota.replenishRate());
    bucket.lastNanos = now;
  }

  private void evictIdle(long now, RateLimitProperties.Quota quota) {
    buckets
        .entrySet()
        .removeIf(
            e -> {
              synchronized (e.getValue()) {
                refill(e.getValue(), now, quota);
                return e.getValue().tokens >= e.getValue().burst;
              }
            });
  }
}
