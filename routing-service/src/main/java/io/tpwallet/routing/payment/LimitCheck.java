package io.tpwallet.routing.payment;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tpwallet.common.money.Money;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks account-service whether a payment fits the KYC limits of the payer's wallet before the
 * payment is accepted ({@code POST /v1/accounts/wallets/{payer}/limits/authorizations}, with the
 * caller's own access token, so that account-service also checks the wallet is the caller's). A
 * refusal comes back to the client as account-service's problem (422 {@code kyc-limit-exceeded}
 * with the figures, 404 for a wallet that is not the caller's); no answer within the timeout, or
 * any other answer, refuses the payment with 503 {@code limit-check-unavailable}: fail closed.
 */
@Component
@EnableConfigurationProperties(LimitCheck.Properties.class)
class LimitCheck {

  public static final java.net.URI UNAVAILABLE = ProblemTypes.of("limit-check-unavailable");

  /** account-service's refusals that are the client's to see, passed through as they are. */
  private static final Set<Integer> PASSED_THROUGH = Set.of(401, 403, 404, 409, 422);

  private static final Logger log = LoggerFactory.getLogger(LimitCheck.class);

  /**
   * {@code tpw.routing.limits}: account-service's address (empty: payments are not checked against
   * KYC limits, a warning at start-up says so) and how long to wait for its answer.
   */
  @ConfigurationProperties("tpw.routing.limits")
  record Properties(@Nullable URI accountServiceUrl, @Nullable Duration timeout) {
    Properties {
      timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
    }
  }

  private final @Nullable URI base;
  private final Duration timeout;
  private final HttpClient http;
  private final JsonMapper json;
  private final MeterRegistry meters;

  LimitCheck(Properties properties, JsonMapper json, MeterRegistry meters) {
    URI url = properties.accountServiceUrl();
    this.base = url == null || url.toString().isBlank() ? null : url;
    this.timeout = properties.timeout();
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    this.json = json;
    this.meters = meters;
    if (base == null) {
      log.warn(
          "tpw.routing.limits.account-service-url (TPW_ROUTING_LIMITS_URL) is not set: payments are NOT"
              + " checked against the payers' KYC limits");
    }
  }

  boolean enabled() {
    return base != null;
  }

  /**
   * Counts the payment against the payer wallet's limits; throws the problem to answer when it is
   * refused or when account-service does not answer. account-service counts a payment id once.
   */
  void authorize(@Nullable String authorization, UUID paymentId, UUID payer, Money amount) {
    URI base = this.base;
    if (base == null) {
      return;
    }
    String body =
        json.writeValueAsString(
            Map.of(
                "paymentId", paymentId.toString(),
                "amount", amount.minor().toString(),
                "asset", amount.asset().code()));
    var request =
        HttpRequest.newBuilder(
                base.resolve("/v1/accounts/wallets/" + payer + "/limits/authorizations"))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw unavailable(paymentId, "no answer within " + timeout.toMillis() + " ms");
    } catch (IOException e) {
      throw unavailable(paymentId, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(paymentId, "interrupted");
    }
    int status = response.statusCode();
    if (status == 200) {
      count("authorized");
      return;
    }
    JsonNode problem = problemOf(response);
    if (problem == null || !PASSED_THROUGH.contains(status)) {
      throw unavailable(paymentId, "answered " + status);
    }
    count("refused");
    throw passedThrough(status, problem);
  }

  private @Nullable JsonNode problemOf(HttpResponse<String> response) {
    boolean isProblem =
        response
            .headers()
            .firstValue("Content-Type")
            .map(t -> t.startsWith("application/problem+json"))
            .orElse(false);
    if (!isProblem) {
      return null;
    }
    try {
      JsonNode node = json.readTree(response.body());
      return node.isObject() && node.hasNonNull("type") ? node : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** account-service's problem, as routing's answer: the same status, type, title and figures. */
  private static ProblemException passedThrough(int status, JsonNode problem) {
    Map<String, Object> properties = new LinkedHashMap<>();
    for (var field : problem.properties()) {
      String name = field.getKey();
      if (!Set.of("type", "title", "status", "detail", "instance").contains(name)) {
        JsonNode value = field.getValue();
        properties.put(name, value.isValueNode() ? value.asString() : value);
      }
    }
    return new ProblemException(
        HttpStatus.valueOf(status),
        URI.create(problem.get("type").asString()),
        problem.path("title").asString("Payment refused"),
        problem.path("detail").asString("account-service refused the payment."),
        properties);
  }

  private ProblemException unavailable(UUID paymentId, String why) {
    log.warn("KYC limit check of payment {} failed ({}): payment refused", paymentId, why);
    count("unavailable");
    return new ProblemException(
        HttpStatus.SERVICE_UNAVAILABLE,
        UNAVAILABLE,
        "Limit check unavailable",
        "The payment was not accepted because its KYC limit check (account-service) did not"
            + " answer; nothing was charged. Retry later with the same Idempotency-Key.");
  }

  private void count(String outcome) {
    Counter.builder("tpw.payment.limit-checks")
        .description("KYC limit checks of new payments, by outcome")
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }
}
