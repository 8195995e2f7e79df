package io.tpwallet.gateway.requestid;

import io.micrometer.context.ContextRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Gives every exchange a request id before anything else runs, so that even the gateway's own
 * refusals (413, 404) carry it; passes it to the backend, echoes it and writes one access log line.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdWebFilter implements WebFilter {

  private static final Logger ACCESS_LOG = LoggerFactory.getLogger("io.tpwallet.gateway.access");

  RequestIdWebFilter() {
    // With spring.reactor.context-propagation=auto, Reactor restores this MDC entry from the
    // subscriber context on whichever thread runs the next operator.
    ContextRegistry.getInstance()
        .registerThreadLocalAccessor(
            RequestIds.MDC_KEY,
            () -> MDC.get(RequestIds.MDC_KEY),
            id -> MDC.put(RequestIds.MDC_KEY, id),
            () -> MDC.remove(RequestIds.MDC_KEY));
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    String id =
        RequestIds.acceptOrCreate(exchange.getRequest().getHeaders().getFirst(RequestIds.HEADER));
    RequestIds.set(exchange, id);
    ServerHttpRequest request =
        exchange.getRequest().mutate().headers(h -> h.set(RequestIds.HEADER, id)).build();
    long startNanos = System.nanoTime();
    exchange
        .getResponse()
        .beforeCommit(
            () -> {
              // set, not add: a backend that echoes the id must not make the header appear twice.
              exchange.getResponse().getHeaders().set(RequestIds.HEADER, id);
              logAccess(exchange, id, startNanos);
              return Mono.empty();
            });
    return chain
        .filter(exchange.mutate().request(request).build())
        .contextWrite(Context.of(RequestIds.MDC_KEY, id));
  }

  private static void logAccess(ServerWebExchange exchange, String id, long startNanos) {
    if (!ACCESS_LOG.isInfoEnabled()) {
      return;
    }
    long durationMs = (System.nanoTime() - startNanos) / 1_000_000;
    try (MDC.MDCCloseable ignored = MDC.putCloseable(RequestIds.MDC_KEY, id)) {
      ServerHttpRequest request = exchange.getRequest();
      ACCESS_LOG.info(
          "{} {} {} {}ms",
          request.getMethod(),
          request.getPath().value(),
          exchange.getResponse().getStatusCode(),
          durationMs);
    }
  }
}
