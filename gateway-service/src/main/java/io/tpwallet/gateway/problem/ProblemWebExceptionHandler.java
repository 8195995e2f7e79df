package io.tpwallet.gateway.problem;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.tpwallet.gateway.requestid.RequestIds;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.webflux.error.ErrorWebExceptionHandler;
import org.springframework.cloud.gateway.support.ServiceUnavailableException;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.PrematureCloseException;
import tools.jackson.databind.ObjectMapper;

/**
 * Answers every error raised inside the gateway as an RFC 9457 problem detail. Answers from the
 * backends are not errors here and pass through untouched, problem details included.
 *
 * <p>Ordered before Boot's default handler (-1), which would answer with its own error format.
 */
@Component
@Order(-2)
class ProblemWebExceptionHandler implements ErrorWebExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemWebExceptionHandler.class);

  private final ObjectMapper json;
  private final Duration retryAfter;

  ProblemWebExceptionHandler(
      ObjectMapper json, @Value("${tpw.gateway.retry-after:10s}") Duration retryAfter) {
    this.json = json;
    this.retryAfter = retryAfter;
  }

  @Override
  public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
    ServerHttpResponse response = exchange.getResponse();
    if (response.isCommitted()) {
      // Part of a backend's answer is already on the wire; all that is left is to cut it.
      return Mono.error(error);
    }
    String requestId = RequestIds.of(exchange);
    Map<String, Object> body = new LinkedHashMap<>();
    HttpStatusCode status;
    GatewayProblem problem = classify(error);
    if (problem != null) {
      status = problem.status;
      body.put("type", problem.type.toString());
      body.put("title", problem.status.getReasonPhrase());
      body.put("status", status.value());
      body.put("detail", problem.detail);
    } else {
      // A status without a problem of its own (400, 406, 415 ...): RFC 9457's about:blank.
      status = ((ResponseStatusException) error).getStatusCode();
      body.put("type", "about:blank");
      body.put("title", titleOf(status));
      body.put("status", status.value());
    }
    body.put("instance", exchange.getRequest().getPath().value());
    body.put("requestId", requestId);
    log(exchange, requestId, status, error);

    HttpHeaders headers = response.getHeaders();
    // Headers a backend set before failing do not belong to this answer; the request id does.
    headers.clear();
    headers.set(RequestIds.HEADER, requestId);
    headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    if (problem == GatewayProblem.SERVICE_UNAVAILABLE) {
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
    }
    if (error instanceof MethodNotAllowedException notAllowed) {
      headers.setAllow(notAllowed.getSupportedMethods());
    }
    ProblemResponses.closeIfBodyMayBeUnread(exchange, headers);
    response.setStatusCode(status);
    byte[] bytes = json.writeValueAsBytes(body);
    return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(bytes)));
  }

  /** The gateway's own problem for this error, or null for a plain HTTP status. */
  private static @Nullable GatewayProblem classify(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof CallNotPermittedException
          || t instanceof BulkheadFullException
          || t instanceof ServiceUnavailableException
          || t instanceof ConnectException
          || t instanceof UnknownHostException) {
        return GatewayProblem.SERVICE_UNAVAILABLE;
      }
      if (t instanceof java.util.concurrent.TimeoutException
          || t instanceof org.springframework.cloud.gateway.support.TimeoutException) {
        return GatewayProblem.GATEWAY_TIMEOUT;
      }
      if (t instanceof PrematureCloseException) {
        return GatewayProblem.BAD_GATEWAY;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    if (error instanceof ResponseStatusException statusError) {
      return switch (statusError.getStatusCode().value()) {
        case 404 -> GatewayProblem.NOT_FOUND;
        case 405 -> GatewayProblem.METHOD_NOT_ALLOWED;
        case 413 -> GatewayProblem.PAYLOAD_TOO_LARGE;
        case 503 -> GatewayProblem.SERVICE_UNAVAILABLE;
        case 504 -> GatewayProblem.GATEWAY_TIMEOUT;
        case 500 -> GatewayProblem.INTERNAL_ERROR;
        default -> null;
      };
    }
    return GatewayProblem.INTERNAL_ERROR;
  }

  private static String titleOf(HttpStatusCode status) {
    var known = org.springframework.http.HttpStatus.resolve(status.value());
    return known == null ? "HTTP " + status.value() : known.getReasonPhrase();
  }

  private static void log(
      ServerWebExchange exchange, String requestId, HttpStatusCode status, Throwable error) {
    try (MDC.MDCCloseable ignored = MDC.putCloseable(RequestIds.MDC_KEY, requestId)) {
      String where = exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath();
      if (status.value() == 500) {
        log.error("{} failed in the gateway", where, error);
      } else if (status.is5xxServerError()) {
        log.warn("{} answered {}: {}", where, status.value(), error.toString());
      } else {
        log.debug("{} answered {}: {}", where, status.value(), error.toString());
      }
    }
  }
}
