package io.tpwallet.migration.ledger;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * ledger-service's account API ({@code TPW_LEDGER_URL}): open an account with a caller-chosen id
 * (201 new, 200 same fields), read its balance, and set or clear the no-overdraft limit of many
 * accounts at once. Unreachable or 5xx is {@link LedgerUnavailable}; any other refusal is a
 * programmer or data error and fails loudly.
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
    HttpResponse<String> response = post("/v1/ledger/accounts", body);
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

  /** The no-overdraft limit: an account's posted and pending debits never exceed its credits. */
  public static final String NO_OVERDRAFT = "DEBITS_MUST_NOT_EXCEED_CREDITS";

  /** The most accounts one limits call names (the ledger's own bound). */
  public static final int LIMIT_ACCOUNTS_MAX = 1_000;

  /** The longest reason the ledger keeps with a limit change. */
  public static final int LIMIT_REASON_LENGTH_MAX = 256;

  /**
   * What the ledger did with one account of a limits call: SET, ALREADY_SET, CLEARED,
   * ALREADY_CLEAR, OVERDRAWN (debits already exceed credits: unchanged), NOT_FOUND or
   * CONFLICTING_FLAG.
   */
  public record LimitResult(UUID accountId, String result) {}

  /**
   * Sets ({@code set}) or clears the no-overdraft limit of {@code accountIds} (1..{@link
   * #LIMIT_ACCOUNTS_MAX}, no duplicates) and answers each account's result in their order.
   */
  public List<LimitResult> limits(List<UUID> accountIds, boolean set, String reason) {
    if (accountIds.isEmpty() || accountIds.size() > LIMIT_ACCOUNTS_MAX) {
      throw new IllegalArgumentException(
          accountIds.size() + " accounts in one limits call, 1.." + LIMIT_ACCOUNTS_MAX);
    }
    if (reason.isEmpty() || reason.length() > LIMIT_REASON_LENGTH_MAX) {
      throw new IllegalArgumentException("a limit reason is 1.." + LIMIT_REASON_LENGTH_MAX);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("limit", NO_OVERDRAFT);
    body.put("set", set);
    body.put("reason", reason);
    body.put("accountIds", accountIds.stream().map(UUID::toString).toList());
    HttpResponse<String> response = post("/v1/ledger/accounts/limits", body);
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "ledger refused the limits of "
              + accountIds.size()
              + " accounts: "
              + response.statusCode()
              + " "
              + response.body());
    }
    List<LimitResult> results = new ArrayList<>(accountIds.size());
    for (JsonNode r : json.readTree(response.body()).path("results")) {
      results.add(
          new LimitResult(
              UUID.fromString(r.path("accountId").asString()), r.path("result").asString()));
    }
    // The ledger answers in request order; anything else is a contract break, not a result.
    if (!results.stream().map(LimitResult::accountId).toList().equals(accountIds)) {
      throw new IllegalStateException(
          "ledger answered the limits of other accounts than asked (" + results.size() + ")");
    }
    return results;
  }

  private HttpResponse<String> post(String path, Object body) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .timeout(REQUEST_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
            .build());
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
