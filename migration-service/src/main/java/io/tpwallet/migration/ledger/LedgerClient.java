package io.tpwallet.migration.ledger;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * ledger-service's account API ({@code TPW_LEDGER_URL}): open an account with a caller-chosen id
 * (201 new, 200 same fields) and read its balance. Unreachable or 5xx is {@link LedgerUnavailable};
 * any other refusal is a programmer or data error and fails loudly.
 */
@Component
public class LedgerClient {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final String base;
  private final JsonMapper json;
  private final HttpClient http;

  LedgerClient(@Value("${tpw.ledger.url:http://127.0.0.1:8082}") String base, JsonMapper json) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.json = json;
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  }

  public String url() {
    return base;
  }

  /** A ledger account's posted totals, minor units. */
  public record Balance(UUID id, String asset, BigInteger debits, BigInteger credits) {
    public BigInteger balance() {
      return credits.subtract(debits);
    }
  }

  /** Thrown when the ledger holds an account with this id but other fields (409). */
  public static class AccountConflict extends RuntimeException {
    AccountConflict(String message) {
      super(message);
    }
  }

  /** Opens the account; answers whether it was new. Opening it again is harmless. */
  public boolean open(AccountSpec spec) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", spec.id().toString());
    body.put("asset", spec.asset().code());
    body.put("code", spec.code());
    body.put("ownerRef", spec.ownerRef());
    body.put("flags", spec.flags());
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(base + "/v1/ledger/accounts"))
                .header("Content-Type", "application/json")
                .timeout(REQUEST_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .build());
    return switch (response.statusCode()) {
      case 201 -> true;
      case 200 -> false;
      case 409 ->
          throw new AccountConflict(
              "ledger account " + spec.id() + " exists with other fields: " + response.body());
      default ->
          throw new IllegalStateException(
              "ledger refused to open "
                  + spec
                  + ": "
                  + response.statusCode()
                  + " "
                  + response.body());
    };
  }

  /** The account's totals, or empty if the ledger has no such account. */
  public Optional<Balance> balance(UUID id) {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(base + "/v1/ledger/accounts/" + id))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build());
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "ledger answered " + response.statusCode() + " for account " + id);
    }
    JsonNode a = json.readTree(response.body());
    return Optional.of(
        new Balance(
            id,
            a.path("asset").asString(),
            new BigInteger(a.path("debitsPosted").asString()),
            new BigInteger(a.path("creditsPosted").asString())));
  }

  private HttpResponse<String> send(HttpRequest request) {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new LedgerUnavailable(
          "ledger-service at " + base + " is unreachable (" + e.getClass().getSimpleName() + ")",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LedgerUnavailable("interrupted while calling ledger-service", e);
    }
    if (response.statusCode() >= 500) {
      throw new LedgerUnavailable(
          "ledger-service at " + base + " answered " + response.statusCode());
    }
    return response;
  }
}
