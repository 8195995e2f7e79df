package io.tpwallet.gateway.idempotency;

import io.tpwallet.gateway.problem.ProblemResponses;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * Refuses a money-moving POST without a well-formed {@code Idempotency-Key} (IETF draft: missing is
 * 400) before any backend sees it, so that a client that could not resend the same request safely
 * learns so at once and not after a timeout. The backends check the key again and keep the stored
 * answers; the gateway only checks that there is one.
 *
 * <p>Runs after Spring Security and the rate limits: a caller without a valid token learns nothing
 * about a path's rules.
 */
@Component
@EnableConfigurationProperties(IdempotencyKeyProperties.class)
class IdempotencyKeyWebFilter implements WebFilter, Ordered {

  static final String HEADER = "Idempotency-Key";

  /** The backends' rule (platform-common IdempotencyKeys): 1-255 printable ASCII characters. */
  static final int KEY_LENGTH_MAX = 255;

  private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7E]+");

  private final List<PathPattern> moneyMovingPosts;
  private final ProblemResponses problems;

  IdempotencyKeyWebFilter(IdempotencyKeyProperties properties, ProblemResponses problems) {
    this.moneyMovingPosts =
        properties.moneyMovingPosts().stream()
            .map(PathPatternParser.defaultInstance::parse)
            .toList();
    this.problems = problems;
  }

  /** After the rate limits (-50), before the routes. */
  @Override
  public int getOrder() {
    return -40;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    if (!needsKey(exchange.getRequest().getMethod(), exchange.getRequest().getPath())) {
      return chain.filter(exchange);
    }
    List<String> keys = exchange.getRequest().getHeaders().getOrEmpty(HEADER);
    if (keys.isEmpty() || keys.get(0).isBlank()) {
      return problems.write(
          exchange,
          HttpStatus.BAD_REQUEST,
          "idempotency-key-missing",
          "This request moves money and needs an Idempotency-Key header.",
          h -> {});
    }
    if (keys.size() > 1 || !wellFormed(keys.get(0))) {
      return problems.write(
          exchange,
          HttpStatus.BAD_REQUEST,
          "validation",
          "The Idempotency-Key must be one header of 1-"
              + KEY_LENGTH_MAX
              + " printable ASCII characters.",
          h -> {});
    }
    return chain.filter(exchange);
  }

  boolean needsKey(HttpMethod method, PathContainer path) {
    if (!HttpMethod.POST.equals(method)) {
      return false;
    }
    PathContainer withoutTrailingSlash =
        path.value().length() > 1 && path.value().endsWith("/")
            ? PathContainer.parsePath(path.value().substring(0, path.value().length() - 1))
            : path;
    return moneyMovingPosts.stream().anyMatch(p -> p.matches(withoutTrailingSlash));
  }

  static boolean wellFormed(String key) {
    return key.length() <= KEY_LENGTH_MAX && PRINTABLE.matcher(key).matches();
  }
}
