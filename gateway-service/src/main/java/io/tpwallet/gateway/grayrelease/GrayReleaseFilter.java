package io.tpwallet.gateway.grayrelease;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tpwallet.gateway.grayrelease.GrayRelease.Side;
import java.net.URI;
import java.security.Principal;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * Sends a legacy user's request on a split route to the legacy wallet, path and query unchanged.
 * Runs right after the route's URL is made, so the route's breaker, time limiter and retry apply to
 * both sides. The user is the verified token's subject with authentication on, otherwise the {@link
 * GrayReleaseProperties#userHeader() user header}; a request without a (valid) user goes to the
 * legacy wallet, where users are until they are released. Counts {@code
 * tpw.gateway.gray.release.requests} per {@code side}.
 */
final class GrayReleaseFilter implements GlobalFilter, Ordered {

  private final GrayReleaseStore store;
  private final Set<String> routes;
  private final URI legacyUrl;
  private final String userHeader;
  private final boolean authEnabled;
  private final Map<Side, Counter> requests = new EnumMap<>(Side.class);

  GrayReleaseFilter(
      GrayReleaseStore store,
      GrayReleaseProperties properties,
      boolean authEnabled,
      MeterRegistry meters) {
    this.store = store;
    this.routes = Set.copyOf(properties.routes());
    this.legacyUrl = properties.legacyUrl();
    this.userHeader = properties.userHeader();
    this.authEnabled = authEnabled;
    for (Side side : Side.values()) {
      requests.put(
          side,
          Counter.builder("tpw.gateway.gray.release.requests")
              .description("Requests on split routes, per side")
              .tag("side", side.name().toLowerCase(java.util.Locale.ROOT))
              .register(meters));
    }
  }

  @Override
  public int getOrder() {
    return RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 1;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
    Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
    if (route == null || !routes.contains(route.getId())) {
      return chain.filter(exchange);
    }
    return user(exchange)
        .map(user -> store.current().sideOf(user))
        .defaultIfEmpty(Side.LEGACY)
        .flatMap(
            side -> {
              requests.get(side).increment();
              if (side == Side.LEGACY) {
                URI routed =
                    exchange.getRequiredAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
                URI legacy =
                    UriComponentsBuilder.fromUri(routed)
                        .scheme(legacyUrl.getScheme())
                        .host(legacyUrl.getHost())
                        .port(legacyUrl.getPort())
                        .build(true)
                        .toUri();
                exchange
                    .getAttributes()
                    .put(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR, legacy);
              }
              return chain.filter(exchange);
            });
  }

  private Mono<String> user(ServerWebExchange exchange) {
    if (authEnabled) {
      return exchange.getPrincipal().map(Principal::getName).filter(GrayReleaseFilter::valid);
    }
    String header = exchange.getRequest().getHeaders().getFirst(userHeader);
    return header != null && valid(header) ? Mono.just(header) : Mono.empty();
  }

  private static boolean valid(String user) {
    return !user.isEmpty() && user.length() <= GrayRelease.USER_ID_LENGTH_MAX;
  }
}
