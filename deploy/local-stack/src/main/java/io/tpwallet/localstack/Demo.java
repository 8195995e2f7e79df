package io.tpwallet.localstack;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The end-to-end demo that ./tpw demo runs, all through the gateway with real access tokens: a
 * customer signs up and logs in (password and a device key), operations registers a merchant and
 * its API client, which gets a token by client credentials; operations opens and funds the ledger
 * accounts; the customer pays the merchant; each outcome is checked against the local contract, and
 * so is the refusal of a request without a token and of the merchant reading the customer's payment
 * (404).
 *
 * <p>Usage: {@code Demo [gatewayUrl]}; the URL may also come from {@code TPW_GATEWAY_URL}, default
 * {@code http://127.0.0.1:8080}. The operations client is {@code TPW_OPS_CLIENT_ID} / {@code
 * TPW_OPS_CLIENT_SECRET} (./tpw makes the secret under .tpw/ and gives it to account-service).
 * Every run makes fresh holders, account ids and idempotency keys so that reruns against the same
 * databases do not collide. Exits 0 only when every payment status and balance is the expected one;
 * otherwise prints each difference and exits 1.
 */
public final class Demo {

  static final String GATEWAY_URL_DEFAULT = "http://127.0.0.1:8080";
  static final String ASSET = "USD";
  static final int ASSET_SCALE = 2;
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  static final Duration PAYMENT_FINAL_TIMEOUT = Duration.ofSeconds(60);
  static final long POLL_PAUSE_MS_MIN = 100;
  static final long POLL_PAUSE_MS_MAX = 1_000;
  static final Set<String> STATUSES_FINAL = Set.of("SETTLED", "DECLINED", "FAILED");
  static final String FLAG_NO_OVERDRAFT = "DEBITS_MUST_NOT_EXCEED_CREDITS";

  private final URI gateway;
  private final String opsClientId;
  private final String opsClientSecret;
  private final SecureRandom random = new SecureRandom();
  private String opsToken = "";
  private final HttpClient http;
  private final JsonMapper json = JsonMapper.builder().build();
  private final List<String> differences = new ArrayList<>();
  private final String password = "demo-" + UUID.randomUUID();

  Demo(URI gateway, String opsClientId, String opsClientSecret) {
    this.gateway = gateway;
    this.opsClientId = opsClientId;
    this.opsClientSecret = opsClientSecret;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /** One payment the demo makes, what it expects, and what happened. */
  static final class Payment {
    final String label;
    final String amountMinor;
    final String expectedStatus;
    final String idempotencyKey;
    String id = "";
    String status = "(not created)";
    String reason = "";

    Payment(String label, String amountMinor, String expectedStatus, String idempotencyKey) {
      this.label = label;
      this.amountMinor = amountMinor;
      this.expectedStatus = expectedStatus;
      this.idempotencyKey = idempotencyKey;
    }
  }

  /** The demo could not go on (a peer down, an unexpected answer); the message says which. */
  static final class DemoFailure extends RuntimeException {
    DemoFailure(String message) {
      super(message);
    }
  }

  public static void main(String[] args) {
    String url =
        args.length > 0
            ? args[0]
            : System.getenv().getOrDefault("TPW_GATEWAY_URL", GATEWAY_URL_DEFAULT);
    URI gateway = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    String opsId = System.getenv().getOrDefault("TPW_OPS_CLIENT_ID", "");
    String opsSecret = System.getenv().getOrDefault("TPW_OPS_CLIENT_SECRET", "");
    if (opsId.isBlank() || opsSecret.isBlank()) {
      System.err.println(
          "Demo: TPW_OPS_CLIENT_ID and TPW_OPS_CLIENT_SECRET are needed (./tpw demo sets them)");
      System.exit(2);
    }
    System.exit(new Demo(gateway, opsId, opsSecret).run());
  }

  int run() {
    String runId = UUID.randomUUID().toString().substring(0, 8);
    System.out.printf("TPWallet demo against %s (run %s)%n%n", gateway, runId);
    List<Payment> payments = new ArrayList<>();
    String alice = null;
    String bob = null;
    String issuance = null;
    try {
      opsToken = clientToken(opsClientId, opsClientSecret, "operations");
      String aliceId = signUp("Alice " + runId, "alice-" + runId + "@demo.tpwallet.io");
      String aliceToken = login("alice-" + runId + "@demo.tpwallet.io");
      System.out.printf(
          "customer alice %s signed up and logged in (device-bound session)%n", aliceId);
      String merchantId = merchant("Bob's Coffee " + runId);
      String[] client = apiClient(merchantId);
      String merchantToken = clientToken(client[0], client[1], "merchant " + merchantId);
      System.out.printf(
          "merchant bob's coffee %s, API client %s (client credentials)%n", merchantId, client[0]);

      issuance = createAccount("issuance", "tpw-demo-" + runId, List.of());
      alice = createAccount("customer", aliceId, List.of(FLAG_NO_OVERDRAFT));
      bob = createAccount("merchant", merchantId, List.of(FLAG_NO_OVERDRAFT));
      System.out.printf("accounts: issuance %s, alice %s, bob's coffee %s%n", issuance, alice, bob);

      fund(issuance, alice, "10000");
      System.out.println("funded alice with " + money("10000") + " " + ASSET);

      Payment coffee =
          new Payment("alice -> bob's coffee", "2500", "SETTLED", key(runId, "coffee"));
      Payment tooBig =
          new Payment("alice -> bob over the risk limit", "200000", "DECLINED", key(runId, "big"));
      Payment noFunds =
          new Payment("alice -> bob more than her balance", "90000", "FAILED", key(runId, "rent"));
      payments.addAll(List.of(coffee, tooBig, noFunds));

      // One at a time, so that the insufficient-funds payment meets the balance left by the first.
      pay(coffee, alice, bob, "coffee", aliceToken);
      pay(tooBig, alice, bob, "laptop", aliceToken);
      pay(noFunds, alice, bob, "rent", aliceToken);

      // The same key with the same body must answer the first payment again, not make a second.
      Payment replay =
          new Payment("replay of the coffee request", "2500", "SETTLED", coffee.idempotencyKey);
      payments.add(replay);
      pay(replay, alice, bob, "coffee", aliceToken);
      if (!replay.id.equals(coffee.id)) {
        differences.add(
            "replay with the same Idempotency-Key answered payment "
                + replay.id
                + ", expected the first payment "
                + coffee.id);
      }
      refusals(coffee, alice, bob, merchantToken);
    } catch (DemoFailure e) {
      differences.add(e.getMessage());
    }

    Map<String, String> expectedBalances = Map.of("alice", "7500", "bob", "2500");
    List<String[]> balances = new ArrayList<>();
    balances.add(balanceRow("issuance", issuance, null));
    balances.add(balanceRow("alice", alice, expectedBalances.get("alice")));
    balances.add(balanceRow("bob", bob, expectedBalances.get("bob")));

    printPayments(payments);
    printBalances(balances);
    return verdict();
  }

  /** A scalar field as text, or the fallback when it is missing, null or not a scalar. */
  static String text(JsonNode node, String fallback) {
    return node.isValueNode() && !node.isNull() ? node.asString() : fallback;
  }

  private static String key(String runId, String name) {
    return "tpw-demo-" + runId + "-" + name;
  }

  /** Sign-up of an individual customer (public); answers the customer id. */
  private String signUp(String name, String email) {
    ObjectNode body = json.createObjectNode();
    body.put("displayName", name);
    body.put("email", email);
    body.put("password", password);
    Answer answer = send("POST", "/v1/accounts/customers", body, Map.of(), "");
    answer.expect(Set.of(201), "sign up " + email);
    return required(answer, "id", "sign up " + email);
  }

  /** Login with the password from a new device, whose P-256 public key binds the session. */
  private String login(String email) {
    ObjectNode body = json.createObjectNode();
    body.put("email", email);
    body.put("password", password);
    body.put("deviceName", "tpw demo");
    ObjectNode jwk = body.putObject("devicePublicJwk");
    ECPublicKey key = deviceKey();
    jwk.put("kty", "EC");
    jwk.put("crv", "P-256");
    jwk.put("x", coordinate(key.getW().getAffineX()));
    jwk.put("y", coordinate(key.getW().getAffineY()));
    Answer answer = send("POST", "/v1/accounts/sessions", body, Map.of(), "");
    answer.expect(Set.of(201), "log in " + email);
    return required(answer, "accessToken", "log in " + email);
  }

  /** A merchant, registered by operations; answers its id. */
  private String merchant(String name) {
    ObjectNode body = json.createObjectNode();
    body.put("displayName", name);
    Answer answer = send("POST", "/v1/accounts/merchants", body, Map.of(), opsToken);
    answer.expect(Set.of(201), "register merchant " + name);
    return required(answer, "id", "register merchant " + name);
  }

  /** The merchant's API client: {clientId, clientSecret}. */
  private String[] apiClient(String merchantId) {
    ObjectNode body = json.createObjectNode();
    ArrayNode scopes = body.putArray("scopes");
    List.of("payments:read", "payments:write", "ledger:read").forEach(scopes::add);
    String what = "API client of merchant " + merchantId;
    Answer answer =
        send(
            "POST",
            "/v1/accounts/merchants/" + merchantId + "/api-clients",
            body,
            Map.of(),
            opsToken);
    answer.expect(Set.of(201), what);
    return new String[] {
      required(answer, "clientId", what), required(answer, "clientSecret", what)
    };
  }

  /** OAuth2 client credentials (RFC 6749 4.4) at account-service, through the gateway. */
  private String clientToken(String clientId, String secret, String who) {
    HttpRequest.Builder request =
        ClientCredentials.tokenRequest(gateway, clientId, secret, REQUEST_TIMEOUT);
    Answer answer = exchange("POST /v1/accounts/oauth2/token", request);
    answer.expect(Set.of(200), "client-credentials token for " + who);
    return required(answer, "access_token", "client-credentials token for " + who);
  }

  /**
   * What must be refused: a payment without a token (401 at the gateway), and the merchant reading
   * the customer's payment (404 from routing-service, as for an unknown id).
   */
  private void refusals(Payment paid, String payer, String payee, String merchantToken) {
    ObjectNode body = json.createObjectNode();
    body.put("payerAccountId", payer);
    body.put("payeeAccountId", payee);
    body.put("amount", "1");
    body.put("asset", ASSET);
    Answer anonymous =
        send("POST", "/v1/payments", body, Map.of("Idempotency-Key", "anon-" + paid.id), "");
    if (anonymous.status != 401) {
      differences.add("a payment without a token answered " + anonymous.status + ", expected 401");
    }
    Answer foreign = send("GET", "/v1/payments/" + paid.id, null, Map.of(), merchantToken);
    if (foreign.status != 404) {
      differences.add(
          "the merchant reading alice's payment answered " + foreign.status + ", expected 404");
    }
    System.out.printf(
        "refused: a payment without a token (%d), the merchant reading alice's payment (%d)%n",
        anonymous.status, foreign.status);
  }

  private static String required(Answer answer, String field, String action) {
    String value = text(answer.body.path(field), "");
    if (value.isEmpty()) {
      throw new DemoFailure(action + ": answer has no " + field + ": " + answer.text);
    }
    return value;
  }

  /** The demo device's key pair; only its public half leaves the device. */
  private ECPublicKey deviceKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return (ECPublicKey) generator.generateKeyPair().getPublic();
    } catch (GeneralSecurityException e) {
      throw new DemoFailure("no P-256 key generator in this JVM: " + e);
    }
  }

  /** A P-256 coordinate as JWK wants it: 32 bytes, big-endian, base64url without padding. */
  static String coordinate(BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] fixed = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, fixed, 32 - copy, copy);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
  }

  private String createAccount(String code, String ownerRef, List<String> flags) {
    ObjectNode body = json.createObjectNode();
    String id = UUID.randomUUID().toString();
    body.put("id", id);
    body.put("asset", ASSET);
    body.put("code", code);
    body.put("ownerRef", ownerRef);
    ArrayNode flagArray = body.putArray("flags");
    flags.forEach(flagArray::add);
    Answer answer = send("POST", "/v1/ledger/accounts", body, Map.of(), opsToken);
    answer.expect(Set.of(201, 200), "create ledger account " + ownerRef);
    String created = text(answer.body.path("id"), "");
    return created.isEmpty() ? id : created;
  }

  private void fund(String issuance, String alice, String amountMinor) {
    ObjectNode body = json.createObjectNode();
    String transferId = UUID.randomUUID().toString();
    body.put("id", transferId);
    body.put("debitAccountId", issuance);
    body.put("creditAccountId", alice);
    body.put("amount", amountMinor);
    body.put("asset", ASSET);
    body.put("reference", "funding");
    send("POST", "/v1/ledger/transfers", body, Map.of("Idempotency-Key", transferId), opsToken)
        .expect(Set.of(201, 200), "fund alice from the issuance account");
  }

  private void pay(Payment payment, String payer, String payee, String reference, String token) {
    ObjectNode body = json.createObjectNode();
    body.put("payerAccountId", payer);
    body.put("payeeAccountId", payee);
    body.put("amount", payment.amountMinor);
    body.put("asset", ASSET);
    body.put("reference", reference);
    Answer answer =
        send(
            "POST", "/v1/payments", body, Map.of("Idempotency-Key", payment.idempotencyKey), token);
    // 202 is the contract; a replay may answer the stored 202 or, once settled, a 200.
    answer.expect(Set.of(202, 200, 201), "create payment '" + payment.label + "'");
    payment.id = text(answer.body.path("id"), "");
    payment.status = text(answer.body.path("status"), "(no status)");
    if (payment.id.isEmpty()) {
      throw new DemoFailure(
          "create payment '" + payment.label + "': answer has no id: " + answer.text);
    }
    System.out.printf("payment %-36s %s -> %s%n", payment.label, payment.id, payment.status);
    awaitFinal(payment, token);
  }

  private void awaitFinal(Payment payment, String token) {
    long deadlineNs = System.nanoTime() + PAYMENT_FINAL_TIMEOUT.toNanos();
    long pauseMs = POLL_PAUSE_MS_MIN;
    while (true) {
      Answer answer = send("GET", "/v1/payments/" + payment.id, null, Map.of(), token);
      answer.expect(Set.of(200), "read payment " + payment.id);
      payment.status = text(answer.body.path("status"), "(no status)");
      payment.reason = text(answer.body.path("reason"), "");
      if (STATUSES_FINAL.contains(payment.status)) {
        if (!payment.status.equals(payment.expectedStatus)) {
          differences.add(
              String.format(
                  "payment '%s' (%s) ended %s%s, expected %s",
                  payment.label,
                  payment.id,
                  payment.status,
                  payment.reason.isEmpty() ? "" : " (" + payment.reason + ")",
                  payment.expectedStatus));
        }
        return;
      }
      if (System.nanoTime() > deadlineNs) {
        differences.add(
            String.format(
                "payment '%s' (%s) still %s after %d s, expected %s",
                payment.label,
                payment.id,
                payment.status,
                PAYMENT_FINAL_TIMEOUT.toSeconds(),
                payment.expectedStatus));
        return;
      }
      sleep(pauseMs);
      pauseMs = Math.min(pauseMs * 2, POLL_PAUSE_MS_MAX);
    }
  }

  /** {name, account id, balance, expected balance, mark} for the balance table. */
  private String[] balanceRow(String name, String accountId, String expectedMinor) {
    if (accountId == null) {
      if (expectedMinor != null) {
        differences.add(name + "'s account was not created");
      }
      return new String[] {
        name, "(none)", "-", expectedMinor == null ? "" : money(expectedMinor), ""
      };
    }
    String balance;
    try {
      Answer answer = send("GET", "/v1/ledger/accounts/" + accountId, null, Map.of(), opsToken);
      answer.expect(Set.of(200), "read " + name + "'s account");
      balance = text(answer.body.path("balance"), "");
    } catch (DemoFailure e) {
      differences.add(e.getMessage());
      balance = "";
    }
    boolean ok = expectedMinor == null || sameAmount(balance, expectedMinor);
    if (!ok) {
      differences.add(
          String.format(
              "%s's balance is %s, expected %s",
              name, balance.isEmpty() ? "unknown" : money(balance), money(expectedMinor)));
    }
    return new String[] {
      name,
      accountId,
      balance.isEmpty() ? "?" : money(balance),
      expectedMinor == null ? "" : money(expectedMinor),
      expectedMinor == null ? "" : (ok ? "ok" : "DIFFERS")
    };
  }

  private static boolean sameAmount(String actualMinor, String expectedMinor) {
    try {
      return new BigInteger(actualMinor).equals(new BigInteger(expectedMinor));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private void printPayments(List<Payment> payments) {
    System.out.println();
    System.out.println("Payments");
    String format = "  %-36s %12s  %-9s %-9s %-36s %s%n";
    System.out.printf(format, "what", "amount", "expected", "actual", "payment id", "reason");
    for (Payment p : payments) {
      String mark = p.status.equals(p.expectedStatus) ? "" : "   <-- DIFFERS";
      System.out.printf(
          format,
          p.label,
          money(p.amountMinor) + " " + ASSET,
          p.expectedStatus,
          p.status,
          p.id.isEmpty() ? "-" : p.id,
          p.reason + mark);
    }
  }

  private static void printBalances(List<String[]> rows) {
    System.out.println();
    System.out.println("Balances (" + ASSET + ")");
    String format = "  %-9s %-36s %12s %12s  %s%n";
    System.out.printf(format, "account", "id", "balance", "expected", "");
    for (String[] row : rows) {
      System.out.printf(format, (Object[]) row);
    }
  }

  private int verdict() {
    System.out.println();
    if (differences.isEmpty()) {
      System.out.println("DEMO OK: every payment and balance is as expected.");
      return 0;
    }
    System.out.println("DEMO FAILED: " + differences.size() + " difference(s):");
    differences.forEach(d -> System.out.println("  - " + d));
    return 1;
  }

  /** Integer minor units as a decimal amount: "2500" -> "25.00". */
  static String money(String minor) {
    try {
      return new BigDecimal(new BigInteger(minor), ASSET_SCALE).toPlainString();
    } catch (NumberFormatException e) {
      return minor;
    }
  }

  /** An HTTP answer: status, raw text and the parsed JSON (missing node if not JSON). */
  final class Answer {
    final String what;
    final int status;
    final String text;
    final JsonNode body;

    Answer(String what, int status, String text) {
      this.what = what;
      this.status = status;
      this.text = text;
      JsonNode parsed;
      try {
        parsed = text.isBlank() ? json.missingNode() : json.readTree(text);
      } catch (JacksonException e) {
        parsed = json.missingNode();
      }
      this.body = parsed;
    }

    void expect(Set<Integer> statuses, String action) {
      if (!statuses.contains(status)) {
        throw new DemoFailure(
            String.format(
                "%s: %s answered %d, expected %s: %s", action, what, status, statuses, text));
      }
    }
  }

  private Answer send(
      String method, String path, JsonNode body, Map<String, String> headers, String token) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(gateway + path))
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", "application/json, application/problem+json");
    headers.forEach(request::header);
    if (!token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
    }
    return exchange(method + " " + path, request);
  }

  private Answer exchange(String what, HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(what, response.statusCode(), response.body());
    } catch (IOException e) {
      throw new DemoFailure(what + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure(what + " interrupted");
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("interrupted while waiting");
    }
  }
}
