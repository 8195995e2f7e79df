package io.tpwallet.gateway.problem;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.json.JsonMapper;

class ProblemWebExceptionHandlerTests {

  final ProblemWebExceptionHandler handler =
      new ProblemWebExceptionHandler(JsonMapper.builder().build(), Duration.ofSeconds(7));

  @Test
  void aRefusedConnectionDeepInTheCauseChainIs503WithRetryAfter() {
    MockServerWebExchange exchange =
        handle(new IllegalStateException("wrapped", new ConnectException("refused: /10.0.0.5")));

    assertProblem(exchange, 503, "service-unavailable");
    assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("7");
    assertThat(exchange.getResponse().getBodyAsString().block()).doesNotContain("10.0.0.5");
  }

  @Test
  void anOpenBreakerIs503() {
    CircuitBreaker breaker = CircuitBreaker.ofDefaults("payments");
    breaker.transitionToOpenState();

    assertProblem(
        handle(CallNotPermittedException.createCallNotPermittedException(breaker)),
        503,
        "service-unavailable");
  }

  @Test
  void aTimeoutIs504WithoutRetryAfter() {
    MockServerWebExchange exchange = handle(new TimeoutException("took 5s"));

    assertProblem(exchange, 504, "gateway-timeout");
    assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After")).isNull();
  }

  @Test
  void aMethodNotAllowedNamesTheAllowedMethods() {
    MockServerWebExchange exchange =
        handle(new MethodNotAllowedException(HttpMethod.DELETE, java.util.Set.of(HttpMethod.GET)));

    assertProblem(exchange, 405, "method-not-allowed");
    assertThat(exchange.getResponse().getHeaders().getAllow()).containsExactly(HttpMethod.GET);
  }

  @Test
  void aStatusWithoutItsOwnProblemTypeIsAboutBlank() {
    MockServerWebExchange exchange = handle(new ResponseStatusException(HttpStatus.BAD_REQUEST));

    assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(exchange.getResponse().getBodyAsString().block())
        .contains("\"type\":\"about:blank\"", "\"title\":\"Bad Request\"", "\"status\":400");
  }

  @Test
  void anythingElseIs500AndDoesNotLeakTheMessage() {
    MockServerWebExchange exchange = handle(new NullPointerException("secret internals"));

    assertProblem(exchange, 500, "internal-error");
    assertThat(exchange.getResponse().getBodyAsString().block()).doesNotContain("secret");
  }

  private MockServerWebExchange handle(Throwable error) {
    MockServerWebExchange exchange =
        MockServerWebExchange.from(MockServerHttpRequest.post("/v1/payments"));
    handler.handle(exchange, error).block();
    return exchange;
  }

  private static void assertProblem(MockServerWebExchange exchange, int status, String slug) {
    assertThat(exchange.getResponse().getStatusCode().value()).isEqualTo(status);
    assertThat(exchange.getResponse().getHeaders().getContentType())
        .isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    assertThat(exchange.getResponse().getBodyAsString().block())
        .contains("\"type\":\"https://tpwallet.io/problems/" + slug + "\"")
        .contains("\"status\":" + status)
        .contains("\"instance\":\"/v1/payments\"");
  }
}
