package io.tpwallet.localstack;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
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
 * The end-to-end demo that ./tpw demo runs: ledger accounts, funding, and payments through the
 * gateway, checked against the outcomes the local contract promises.
 *
 * <p>Usage: {@code Demo [gatewayUrl]}; the URL may also come from {@code TPW_GATEWAY_URL}, default
 * {@code http://127.0.0.1:8080}. Every run makes fresh account ids and idempotency keys so that
 * reruns against the same databases do not collide. Exits 0 only when every payment status and
 * balance is the expected one; otherwise prints each difference and exits 1.
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
  private final HttpClient http;
  private final JsonMapper json = JsonMapper.builder().build();
  private final List<String> differences = new ArrayList<>();

  Demo(URI gateway) {
    this.gateway = gateway;
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
    System.exit(new Demo(gateway).run());
  }

  int run() {
    String runId = UUID.randomUUID().toString().substring(0, 8);
    System.out.printf("TPWallet demo against %s (run %s)%n%n", gateway, runId);
    List<Payment> payments = new ArrayList<>();
    String alice = null;
    String bob = null;
    String issuance = null;
    try {
      issuance = createAccount("issuance", "tpw-demo-" + runId, List.of());
      alice = createAccount("customer", "alice-" + runId, List.of(FLAG_NO_OVERDRAFT));
      bob = createAccount("customer", "bob-" + runId, List.of(FLAG_NO_OVERDRAFT));
      System.out.printf("accounts: issuance %s, alice %s, bob %s%n", issuance, alice, bob);

      fund(issuance, alice, "10000");
      System.out.println("funded alice with " + money("10000") + " " + ASSET);

      Payment coffee = new Payment("alice -> bob coffee", "2500", "SETTLED", key(runId, "coffee"));
      Payment tooBig =
          new Payment("alice -> bob over the risk limit", "200000", "DECLINED", key(runId, "big"));
      Payment noFunds =
          new Payment("alice -> bob more than her balance", "90000", "FAILED", key(runId, "rent"));
      payments.addAll(List.of(coffee, tooBig, noFunds));

      // One at a time, so that the insufficient-funds payment meets the balance left by the first.
      pay(coffee, alice, bob, "coffee");
      pay(tooBig, alice, bob, "laptop");
      pay(noFunds, alice, bob, "rent");

      // The same key with the same body must answer the first payment again, not make a second.
      Payment replay =
          new Payment("replay of the coffee request", "2500", "SETTLED", coffee.idempotencyKey);
      payments.add(replay);
      pay(replay, alice, bob, "coffee");
      if (!replay.id.equals(coffee.id)) {
        differences.add(
            "replay with the same Idempotency-Key answered payment "
                + replay.id
                + ", expected the first payment "
                + coffee.id);
      }
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

  private String createAccount(String code, String ownerRef, List<String> flags) {
    ObjectNode body = json.createObjectNode();
    String id = UUID.randomUUID().toString();
    body.put("id", id);
    body.put("asset", ASSET);
    body.put("code", code);
    body.put("ownerRef", ownerRef);
    ArrayNode flagArray = body.putArray("flags");
    flags.forEach(flagArray::add);
    Answer answer = send("POST", "/v1/ledger/accounts", body, Map.of());
    answer.expect(Set.of(201, 200), "create ledger account " + ownerRef);
    String created = text(answer.body.path("id"), "");
    return created.isEmpty() ? id : created;
  }

  private void fund(String issuance, String alice, String amountMinor) {
    ObjectNode body = json.createObjectNode();
    body.put("id", UUID.randomUUID().toString());
    body.put("debitAccountId", issuance);
    body.put("creditAccountId", alice);
    body.put("amount", amountMinor);
    body.put("asset", ASSET);
    body.put("reference", "funding");
    send("POST", "/v1/ledger/transfers", body, Map.of())
        .expect(Set.of(201, 200), "fund alice from the issuance account");
  }

  private void pay(Payment payment, String payer, String payee, String reference) {
    ObjectNode body = json.createObjectNode();
    body.put("payerAccountId", payer);
    body.put("payeeAccountId", payee);
    body.put("amount", payment.amountMinor);
    body.put("asset", ASSET);
    body.put("reference", reference);
    Answer answer =
        send("POST", "/v1/payments", body, Map.of("Idempotency-Key", payment.idempotencyKey));
    // 202 is the contract; a replay may answer the stored 202 or, once settled, a 200.
    answer.expect(Set.of(202, 200, 201), "create payment '" + payment.label + "'");
    payment.id = text(answer.body.path("id"), "");
    payment.status = text(answer.body.path("status"), "(no status)");
    if (payment.id.isEmpty()) {
      throw new DemoFailure(
          "create payment '" + payment.label + "': answer has no id: " + answer.text);
    }
    System.out.printf("payment %-36s %s -> %s%n", payment.label, payment.id, payment.status);
    awaitFinal(payment);
  }

  private void awaitFinal(Payment payment) {
    long deadlineNs = System.nanoTime() + PAYMENT_FINAL_TIMEOUT.toNanos();
    long pauseMs = POLL_PAUSE_MS_MIN;
    while (true) {
      Answer answer = send("GET", "/v1/payments/" + payment.id, null, Map.of());
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
      Answer answer = send("GET", "/v1/ledger/accounts/" + accountId, null, Map.of());
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

  private Answer send(String method, String path, JsonNode body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(gateway + path))
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", "application/json, application/problem+json");
    headers.forEach(request::header);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
    }
    String what = method + " " + path;
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
