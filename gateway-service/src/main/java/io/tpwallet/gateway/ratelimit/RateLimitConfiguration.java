package io.tpwallet.gateway.ratelimit;

import io.tpwallet.gateway.problem.ProblemResponses;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.gateway.filter.ratelimit.RateLimiter;
import org.springframework.cloud.gateway.filter.ratelimit.RedisRateLimiter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/** The rate-limit filter, when {@code tpw.gateway.rate-limit.enabled} is true. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RateLimitProperties.class)
@ConditionalOnProperty(
    name = "tpw.gateway.rate-limit.enabled",
    havingValue = "true",
    matchIfMissing = true)
class RateLimitConfiguration {

  private static final Logger log = LoggerFactory.getLogger(RateLimitConfiguration.class);

  @Bean
  WebFilter rateLimitWebFilter(
      RateLimitProperties properties,
      ObjectProvider<RedisRateLimiter> redisRateLimiter,
      ProblemResponses problems) {
    RedisRateLimiter redis = redisRateLimiter.getIfAvailable();
    java.util.function.BiFunction<String, String, Mono<RateLimiter.Response>> shared;
    if (redis == null) {
      log.warn("Rate limiter: no Redis configured; limiting with in-process buckets only");
      shared = (bucket, key) -> Mono.error(new IllegalStateException("no Redis"));
    } else {
      redis.getConfig().put(RateLimitWebFilter.PRINCIPAL_BUCKET, config(properties.principal()));
      redis.getConfig().put(RateLimitWebFilter.IP_BUCKET, config(properties.ip()));
      shared = redis::isAllowed;
    }
    var limits = new RateLimits(shared, Clock.systemUTC(), properties.redisRetryAfter());
    return new RateLimitWebFilter(limits, properties, problems);
  }

  private static RedisRateLimiter.Config config(RateLimitProperties.Quota quota) {
    return new RedisRateLimiter.Config()
        .setReplenishRate(quota.replenishRate())
        .setBurstCapacity(quota.burstCapacity())
        .setRequestedTokens(1);
  }
}
