package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.common.id.Ids;
import io.tpwallet.ledger.account.Accounts;
import io.tpwallet.ledger.chain.LedgerChain;
import io.tpwallet.ledger.transfer.ReverseCommand;
import io.tpwallet.ledger.transfer.TransferCommand;
import io.tpwallet.ledger.transfer.TransferResult;
import io.tpwallet.ledger.transfer.TransferService;
import io.tpwallet.testkit.Infrastructure;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reversals (full, partial, once only, concurrent) and imported history with its own order. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReversalImportIT {

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "ledgerreversal");
  }

  @LocalServerPort int port;
  @Autowired Accounts accounts;
  @Autowired TransferService transfers;
  @Autowired LedgerChain chain;
  @Autowired JdbcClient jdbc;
  @Autowired PlatformTransactionManager transactions;

  private final JsonMapper json = JsonMapper.builder().build();

  @Test
  void aReversalIsANewTransferTheOtherWayAndReversalsNeverExceedTheOriginal() throws Exception {
    UUID issuance = open(false);
    UUID alice = open(true);
    UUID bob = open(true);
    transfer(Ids.newId(), issuance, alice, "1000");
    UUID payment = Ids.newId();
    transfer(payment, alice, bob, "300");

    UUID partial = Ids.newId();
    var first = reverse(payment, partial, "100");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    JsonNode reversal = body(first);
    assertThat(reversal.get("reversesId").asString()).isEqualTo(payment.toString());
    assertThat(reversal.get("debitAccountId").asString()).isEqualTo(bob.toString());
    assertThat(reversal.get("creditAccountId").asString()).isEqualTo(alice.toString());
    assertThat(reversal.get("amount").asString()).isEqualTo("100");
    assertThat(balance(alice)).isEqualTo(800);
    assertThat(balance(bob)).isEqualTo(200);

    UUID rest = Ids.newId();
    var second = reverse(payment, rest, null);
    assertThat(second.statusCode()).isEqualTo(201);
    assertThat(body(second).get("amount").asString()).isEqualTo("200");
    assertThat(balance(alice)).isEqualTo(1000);
    assertThat(balance(bob)).isZero();
    // A replay answers the same reversal; the original is unchanged.
    assertThat(reverse(payment, rest, null).statusCode()).isEqualTo(200);
    JsonNode original = body(get("/v1/ledger/transfers/" + payment));
    assertThat(original.get("amount").asString()).isEqualTo("300");
    assertThat(original.get("reversesId").isNull()).isTrue();

    assertThat(problemCode(reverse(payment, Ids.newId(), "1")))
        .isEqualTo("TRANSFER_ALREADY_REVERSED");
    assertThat(problemCode(reverse(partial, Ids.newId(), null)))
        .isEqualTo("TRANSFER_NOT_REVERSIBLE");
    assertThat(problemCode(reverse(Ids.newId(), Ids.newId(), null)))
        .isEqualTo("REVERSED_TRANSFER_NOT_FOUND");
    UUID small = Ids.newId();
    transfer(small, alice, bob, "50");
    assertThat(problemCode(reverse(small, Ids.newId(), "51")))
        .isEqualTo("EXCEEDS_REVERSIBLE_AMOUNT");
    assertThat(problemCode(reverse(small, Ids.newId(), "0"))).isEqualTo("INVALID_AMOUNT");
    // The same limits as any transfer: bob spent the money, so it cannot be taken back.
    transfer(Ids.newId(), bob, issuance, "50");
    var spent = reverse(small, Ids.newId(), null);
    assertThat(spent.statusCode()).isEqualTo(422);
    assertThat(problemCode(spent)).isEqualTo("INSUFFICIENT_FUNDS");
    UUID hold = Ids.newId();
    assertThat(
            transfers
                .post(TransferCommand.hold(hold, alice, bob, BigInteger.TEN, "USD", "hold", 0))
                .result())
        .isEqualTo(TransferResult.OK);
    assertThat(problemCode(reverse(hold, Ids.newId(), null))).isEqualTo("TRANSFER_NOT_REVERSIBLE");
    assertThat(chain.verify().ok()).isTrue();
  }

  @Test
  void theDatabaseRefusesReversalsAddingUpToMoreThanTheOriginalWhateverTheCodeDoes()
      throws Exception {
    UUID issuance = open(false);
    UUID alice = open(false);
    UUID payment = Ids.newId();
    transfer(payment, issuance, alice, "100");
    var tx = new TransactionTemplate(transactions);
    assertThatThrownBy(
            () ->
                tx.executeWithoutResult(
                    status -> {
                      UUID id = Ids.newId();
                      // Since V8 every transfer has its row in the global id table (same time).
                      jdbc.sql("insert into ledger_transfer_id (id, created_at) values (?, now())")
                          .param(id)
                          .update();
                      // Since V9 a transfer and its entries are inserted by one statement.
                      jdbc.sql(
                              """
                              with t as (
                                insert into ledger_transfer (id, debit_account_id,
                                    credit_account_id, amount, asset, reverses_id, batch_id)
                                values (?, ?, ?, 101, 'USD', ?, ?))
                              insert into ledger_entry (transfer_id, account_id, direction, amount)
                              values (?, ?, 'D', 101), (?, ?, 'C', 101)""")
                          .params(
                              id, alice, issuance, payment, Ids.newId(), id, alice, id, issuance)
                          .update();
                    }))
        // Refused at commit, by the deferred constraint trigger.
        .isInstanceOf(TransactionSystemException.class)
        .hasStackTraceContaining("reversals of " + payment);
    assertThat(
            transfers
                .reverse(ReverseCommand.of(Ids.newId(), payment, null, ""))
                .transfer()
                .amount())
        .isEqualTo(BigInteger.valueOf(100));
  }

  @Test
  void concurrentPartialReversalsAddUpToAtMostTheOriginal() throws Exception {
    UUID issuance = open(false);
    UUID alice = open(true);
    UUID payment = Ids.newId();
    transfer(payment, issuance, alice, "100");
    int clients = 10;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<TransferResult>> results = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return transfers
                      .reverse(ReverseCommand.of(Ids.newId(), payment, BigInteger.valueOf(40), ""))
                      .result();
                }));
      }
      start.countDown();
      List<TransferResult> got = new ArrayList<>();
      for (var f : results) {
        got.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(got).filteredOn(r -> r == TransferResult.OK).hasSize(2);
      assertThat(got)
          .filteredOn(r -> r != TransferResult.OK)
          .containsOnly(TransferResult.EXCEEDS_REVERSIBLE_AMOUNT);
    } finally {
      pool.shutdownNow();
    }
    assertThat(balance(alice)).isEqualTo(20);
  }

  @Test
  void importedHistoryKeepsItsTimeAndLegacyReferenceAndIsAppliedInOrderPerAccount()
      throws Exception {
    UUID legacyCash = open(false);
    UUID carol = open(true);
    UUID dave = open(true);
    List<Map<String, Object>> events = new ArrayList<>();
    events.add(imported(legacyCash, carol, "500", "2020-01-01T10:00:00.123456Z", "L-1"));
    events.add(imported(carol, dave, "200", "2020-02-01T00:00:00Z", "L-2"));
    // Older than L-2 on carol's account: refused, the history would not be in order.
    events.add(imported(carol, dave, "1", "2020-01-15T00:00:00Z", "L-3"));
    // The same invariants as live traffic: carol has 300 left.
    events.add(imported(carol, dave, "301", "2020-03-01T00:00:00Z", "L-4"));
    events.add(imported(legacyCash, carol, "1", "2999-01-01T00:00:00Z", "L-5"));
    var response = post("/v1/ledger/batches", json.writeValueAsString(Map.of("events", events)));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<String> results = new ArrayList<>();
    body(response).get("results").forEach(r -> results.add(r.get("result").asString()));
    assertThat(results)
        .containsExactly(
            "OK", "OK", "IMPORTED_OUT_OF_ORDER", "INSUFFICIENT_FUNDS", "IMPORTED_IN_FUTURE");
    assertThat(balance(carol)).isEqualTo(300);
    assertThat(balance(dave)).isEqualTo(200);
    JsonNode first = body(get("/v1/ledger/transfers/" + events.get(0).get("id")));
    assertThat(first.get("createdAt").asString()).isEqualTo("2020-01-01T10:00:00.123456Z");
    assertThat(first.get("legacyRef").asString()).isEqualTo("L-1");

    // Replayed: the applied ones exist, nothing is written twice.
    var again = post("/v1/ledger/batches", json.writeValueAsString(Map.of("events", events)));
    assertThat(body(again).get("results").get(0).get("result").asString()).isEqualTo("EXISTS");
    assertThat(body(again).get("results").get(1).get("result").asString()).isEqualTo("EXISTS");
    assertThat(balance(carol)).isEqualTo(300);

    // A later batch may not go back before what is already imported on the account.
    var late =
        post(
            "/v1/ledger/batches",
            json.writeValueAsString(
                Map.of(
                    "events",
                    List.of(
                        imported(legacyCash, dave, "1", "2020-01-31T00:00:00Z", "L-6"),
                        imported(legacyCash, dave, "1", "2020-02-01T00:00:00Z", "L-7")))));
    List<String> lateResults = new ArrayList<>();
    body(late).get("results").forEach(r -> lateResults.add(r.get("result").asString()));
    assertThat(lateResults).containsExactly("IMPORTED_OUT_OF_ORDER", "OK");

    // importedAt without legacyRef is malformed: 400, nothing written.
    Map<String, Object> half = imported(legacyCash, carol, "1", "2020-05-01T00:00:00Z", "L-8");
    half.remove("legacyRef");
    assertThat(
            post("/v1/ledger/batches", json.writeValueAsString(Map.of("events", List.of(half))))
                .statusCode())
        .isEqualTo(400);
    assertThat(chain.verify().ok()).isTrue();
  }

  private static Map<String, Object> imported(
      UUID debit, UUID credit, String amount, String at, String legacyRef) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("type", "TRANSFER");
    e.put("id", Ids.newId().toString());
    e.put("debitAccountId", debit.toString());
    e.put("creditAccountId", credit.toString());
    e.put("amount", amount);
    e.put("asset", "USD");
    e.put("reference", "legacy");
    e.put("importedAt", at);
    e.put("legacyRef", legacyRef);
    return e;
  }

  private void transfer(UUID id, UUID debit, UUID credit, String amount) throws Exception {
    var r =
        post(
            "/v1/ledger/transfers",
            json.writeValueAsString(
                Map.of(
                    "id", id.toString(),
                    "debitAccountId", debit.toString(),
                    "creditAccountId", credit.toString(),
                    "amount", amount,
                    "asset", "USD")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  private HttpResponse<String> reverse(UUID original, UUID id, String amount) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id.toString());
    if (amount != null) {
      body.put("amount", amount);
    }
    body.put("reference", "refund");
    return post("/v1/ledger/transfers/" + original + "/reverse", json.writeValueAsString(body));
  }

  private String problemCode(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
    return body(response).get("code").asString();
  }

  private UUID open(boolean wallet) {
    return LedgerTestSupport.openUsd(accounts, wallet);
  }

  private long balance(UUID account) {
    return accounts.find(account).orElseThrow().balance().longValueExact();
  }

  private static JsonNode body(HttpResponse<String> response) {
    return LedgerTestSupport.body(response);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return LedgerTestSupport.get(port, path);
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return LedgerTestSupport.post(port, path, body);
  }
}
