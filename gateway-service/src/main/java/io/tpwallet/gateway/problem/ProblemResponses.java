package io.tpwallet.gateway.problem;

import io.tpwallet.gateway.requestid.RequestIds;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * Writes a problem detail the gateway answers without an exception (401, 403, 429), in the same
 * shape as {@link ProblemWebExceptionHandler}'s.
 */
@Component
public class ProblemResponses {

  private final ObjectMapper json;

  ProblemResponses(ObjectMapper json) {
    this.json = json;
  }

  /**
   * Answers {@code status} with the problem type {@code https://tpwallet.io/problems/<slug>}; the
   * detail must be a fixed sentence.
   */
  public Mono<Void> write(
      ServerWebExchange exchange,
      HttpStatus status,
      String slug,
      String detail,
      Consumer<HttpHeaders> headers) {
    ServerHttpResponse response = exchange.getResponse();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", GatewayProblem.TYPE_BASE + slug);
    body.put("title", status.getReasonPhrase());
    body.put("status", status.value());
    body.put("detail", detail);
    body.put("instance", exchange.getRequest().getPath().value());
    String requestId = RequestIds.of(exchange);
    body.put("requestId", requestId);
    response.setStatusCode(status);
    response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    response.getHeaders().set(RequestIds.HEADER, requestId);
    headers.accept(response.getHeaders());
    closeIfBodyMayBeUnread(exchange, response.getHeaders());
    byte[] bytes = json.writeValueAsBytes(body);
    return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(bytes)));
  }

  /**
   * An answer the gateway gives itself may leave the request's body unread on the connection (a 401
   * before the body is looked at, a 413 by its declared length). Reused, such a connection held the
   * client's next request unanswered until the client gave up (seen in the ITs as a 10-15 s hang of
   * the request after a refused POST), so the connection is closed after the answer.
   */
  static void closeIfBodyMayBeUnread(ServerWebExchange exchange, HttpHeaders headers) {
    HttpHeaders request = exchange.getRequest().getHeaders();
    if (request.getContentLength() > 0 || request.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
      headers.set(HttpHeaders.CONNECTION, "close");
    }
  }
}
