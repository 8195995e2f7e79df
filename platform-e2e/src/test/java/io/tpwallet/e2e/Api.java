package io.tpwallet.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What a mobile app or merchant does against the gateway: JSON over HTTP, nothing more. */
final class Api {

  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> FINAL = Set.of("SETTLED", "DECLINED", "FAILED");

  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  private final Supplier<String> token;

  Api(String base) {
    this(base, () -> "");
  }

  private Api(String base, Supplier<String> token) {
    this.base = base;
    this.token = token;
  }

  /** The same API, called with this bearer token (asked for before each request). */
  Api as(Supplier<String> bearer) {
    return new Api(base, bearer);
  }

  record Reply(int status, String body, HttpResponse<String> raw) {
    JsonNode json() {
      return JSON.readTree(body);
    }

    String text(String field) {
      return json().get(field).asString();
    }
  }

  Reply post(String path, String key, String body) {
    var request =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(15))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return send(request.build());
  }

  Reply get(String path) {
    return get(path, Duration.ofSeconds(15));
  }

  /** A GET that may take long: a report that first waits for a lag to drain. */
  Reply get(String path, Duration timeout) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).GET().build());
  }

  String createAccount(String owner, boolean mayGoNegative) {
    String flags = mayGoNegative ? "[]" : "[\"DEBITS_MUST_NOT_EXCEED_CREDITS\"]";
    var reply =
        post(
            "/v1/ledger/accounts",
            null,
            """
            {"asset":"USD","code":"%s","ownerRef":"%s","flags":%s}"""
                .formatted(mayGoNegative ? "issuance" : "customer", owner, flags));
    if (reply.status() != 201) {
      throw new AssertionError("account not created: " + reply.status() + " " + reply.body());
    }
    return reply.text("id");
  }

  void fund(String issuance, String account, String amount) {
    String id = UUID.randomUUID().toString();
    var reply =
        post(
            "/v1/ledger/transfers",
            id,
            """
            {"id":"%s","debitAccountId":"%s","creditAccountId":"%s","amount":"%s","asset":"USD","reference":"funding"}"""
                .formatted(id, issuance, account, amount));
    if (reply.status() != 201) {
      throw new AssertionError("funding refused: " + reply.status() + " " + reply.body());
    }
  }

  String balance(String account) {
    return get("/v1/ledger/accounts/" + account).text("balance");
  }

  static String payment(String payer, String payee, String amount) {
    return """
        {"payerAccountId":"%s","payeeAccountId":"%s","amount":"%s","asset":"USD","reference":"e2e"}"""
        .formatted(payer, payee, amount);
  }

  /** Pays and answers the payment id; the payment is accepted (202) but not yet final. */
  String pay(String payer, String payee, String amount) {
    var reply = post("/v1/payments", UUID.randomUUID().toString(), payment(payer, payee, amount));
    if (reply.status() != 202) {
      throw new AssertionError("payment not accepted: " + reply.status() + " " + reply.body());
    }
    return reply.text("id");
  }

  /** Polls the payment until it is final (retrying while a service restarts). */
  JsonNode awaitFinal(String id, Duration timeout) {
    Instant until = Instant.now().plus(timeout);
    String last = "never answered";
    while (Instant.now().isBefore(until)) {
      try {
        var reply = get("/v1/payments/" + id);
        last = reply.status() + " " + reply.body();
        if (reply.status() == 200 && FINAL.contains(reply.text("status"))) {
          return reply.json();
        }
      } catch (IllegalStateException e) {
        last = e.getMessage();
      }
      ServiceProcess.sleep(200);
    }
    throw new AssertionError("payment " + id + " not final within " + timeout + ": " + last);
  }

  /** A form POST without a bearer token (the OAuth2 token endpoint), with these headers. */
  Reply postForm(String path, String form, String... headers) {
    var request =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .timeout(Duration.ofSeconds(15))
            .POST(HttpRequest.BodyPublishers.ofString(form));
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body(), response);
    } catch (Exception e) {
      throw new IllegalStateException("POST " + path + " failed: " + e, e);
    }
  }

  private Reply send(HttpRequest request) {
    String bearer = token.get();
    if (!bearer.isEmpty()) {
      request =
          HttpRequest.newBuilder(request, (name, value) -> true)
              .header("Authorization", "Bearer " + bearer)
              .build();
    }
    try {
      var response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body(), response);
    } catch (Exception e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + " failed: " + e, e);
    }
  }
}
