package io.tpwallet.gateway.ratelimit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tpw.gateway.rate-limit.*}: token buckets per principal (the access token's subject) and
 * per client IP.
 *
 * @param enabled on by default ({@code TPW_GATEWAY_RATE_LIMIT_ENABLED=false} switches it off)
 * @param redisRetryAfter after a Redis failure, how long the local buckets decide alone before
 *     Redis is tried again
 */
@ConfigurationProperties("tpw.gateway.rate-limit")
public record RateLimitProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue({"20", "40"}) Quota principal,
    @DefaultValue({"100", "200"}) Quota ip,
    @DefaultValue("10s") Duration redisRetryAfter) {

  /**
   * A token bucket: {@code replenishRate} requests per second on average, bursts up to {@code
   * burstCapacity}.
   */
  public record Quota(int replenishRate, int burstCapacity) {
    public Quota {
      if (replenishRate < 1 || burstCapacity < replenishRate) {
        throw new IllegalArgumentException(
            "a rate-limit quota needs replenish-rate >= 1 and burst-capacity >= replenish-rate");
      }
    }
  }
}
