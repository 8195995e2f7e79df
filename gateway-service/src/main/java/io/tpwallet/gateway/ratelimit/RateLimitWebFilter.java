package io.tpwallet.gateway.ratelimit;

import io.tpwallet.gateway.problem.ProblemResponses;
import java.net.InetSocketAddress;
import java.security.Principal;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Limits the API paths ({@code /v1/**}) per client IP and, for a request with a verified access
 * token, per principal; over either quota the answer is 429 with {@code Retry-After}. It runs after
 * Spring Security (so the principal is the token's verified subject, never a claim read from an
 * unchecked token) and before any route.
 *
 * <p>The IP is the TCP peer: {@code X-Forwarded-For} is the client's to write and is not trusted
 * here; behind a load balancer, Boot's forwarded-header support must be configured for it.
 */
final class RateLimitWebFilter implements WebFilter, Ordered {

  static final String PRINCIPAL_BUCKET = "tpw-principal";
  static final String IP_BUCKET = "tpw-ip";

  private final RateLimits limits;
  private final RateLimitProperties properties;
  private final ProblemResponses problems;

  RateLimitWebFilter(RateLimits limits, RateLimitProperties properties, ProblemResponses problems) {
    this.limits = limits;
    this.properties = properties;
    this.problems = problems;
  }

  /** After Spring Security's chain (order -100), so that the principal is known. */
  @Override
  public int getOrder() {
    return -50;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    if (!exchange.getRequest().getPath().value().startsWith("/v1/")) {
      return chain.filter(exchange);
    }
    InetSocketAddress peer = exchange.getRequest().getRemoteAddress();
    String ip =
        peer == null || peer.getAddress() == null ? "unknown" : peer.getAddress().getHostAddress();
    Mono<Boolean> byIp = limits.allow(IP_BUCKET, ip, properties.ip());
    return byIp.flatMap(
        ipAllowed -> {
          if (!ipAllowed) {
            return tooMany(exchange, properties.ip());
          }
          return exchange
              .getPrincipal()
              .map(Principal::getName)
              .flatMap(name -> limits.allow(PRINCIPAL_BUCKET, name, properties.principal()))
              .defaultIfEmpty(true)
              .flatMap(
                  allowed ->
                      allowed ? chain.filter(exchange) : tooMany(exchange, properties.principal()));
        });
  }

  private Mono<Void> tooMany(ServerWebExchange exchange, RateLimitProperties.Quota quota) {
    // One token comes back after 1/rate seconds; Retry-After is in whole seconds, at least 1.
    long retryAfter = Math.max(1, (long) Math.ceil(1.0 / quota.replenishRate()));
    return problems.write(
        exchange,
        HttpStatus.TOO_MANY_REQUESTS,
        "too-many-requests",
        "Too many requests; try again after the Retry-After delay.",
        h -> h.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter)));
  }
}
