package io.tpwallet.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.ratelimit.RateLimiter;
import reactor.core.publisher.Mono;

/**
 * Decides whether a key (a principal or an IP) may make one more request: through Spring Cloud
 * Gateway's {@code RedisRateLimiter} (one bucket shared by every gateway instance), or, while Redis
 * is unreachable, through {@link LocalTokenBuckets} with a warning.
 *
 * <p>{@code RedisRateLimiter} lets a request through when Redis fails and says so with {@code
 * X-RateLimit-Remaining: -1}; that answer is taken as "Redis is down", and the local buckets decide
 * alone until {@code redisRetryAfter} has passed.
 */
final class RateLimits {

  private static final Logger log = LoggerFactory.getLogger(RateLimits.class);
  static final String REMAINING_HEADER = "X-RateLimit-Remaining";

  /** Bounds the wait on Redis; after it, the local bucket decides. */
  static final Duration REDIS_TIMEOUT = Duration.ofMillis(1500);

  private final BiFunction<String, String, Mono<RateLimiter.Response>> redis;
  private final LocalTokenBuckets local;
  private final Clock clock;
  private final Duration redisRetryAfter;
  private volatile Instant redisDownUntil = Instant.MIN;

  RateLimits(
      BiFunction<String, String, Mono<RateLimiter.Response>> redis,
      Clock clock,
      Duration redisRetryAfter) {
    this.redis = redis;
    this.local = new LocalTokenBuckets(clock);
    this.clock = clock;
    this.redisRetryAfter = redisRetryAfter;
  }

  /** True when the request may go ahead. */
  Mono<Boolean> allow(String bucket, String key, RateLimitProperties.Quota quota) {
    if (clock.instant().isBefore(redisDownUntil)) {
      return Mono.just(local.tryTake(bucket + ":" + key, quota));
    }
    return Mono.defer(() -> redis.apply(bucket, key))
        .timeout(REDIS_TIMEOUT)
        .map(
            response -> {
              if (redisFailed(response.getHeaders())) {
                return fallBack(bucket, key, quota, "Redis answered an error");
              }
              return response.isAllowed();
            })
        .onErrorResume(e -> Mono.just(fallBack(bucket, key, quota, e.toString())));
  }

  boolean usingLocalBuckets() {
    return clock.instant().isBefore(redisDownUntil);
  }

  private boolean fallBack(String bucket, String key, RateLimitProperties.Quota quota, String why) {
    if (!usingLocalBuckets()) {
      log.warn(
          "Rate limiter: Redis unreachable ({}); limiting with in-process buckets for {}",
          why,
          redisRetryAfter);
    }
    redisDownUntil = clock.instant().plus(redisRetryAfter);
    return local.tryTake(bucket + ":" + key, quota);
  }

  private static boolean redisFailed(Map<String, String> headers) {
    return "-1".equals(headers.get(REMAINING_HEADER));
  }
}
