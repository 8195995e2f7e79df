package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.id.Ids;
import io.tpwallet.ledger.account.Accounts;
import io.tpwallet.ledger.transfer.TransferService;
import io.tpwallet.testkit.Infrastructure;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Batches over REST: per-event results, linked chains, the size limit, idempotency. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BatchIT {

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "ledgerbatch");
  }

  @LocalServerPort int port;
  @Autowired Accounts accounts;
  @Autowired TransferService transfers;
  @Autowired JdbcClient jdbc;

  private final JsonMapper json = JsonMapper.builder().build();

  @Test
  void aFailingLinkedChainWritesNothingOfItAndTheRestOfTheBatchStillApplies() throws Exception {
    UUID issuance = open(false);
    UUID alice = open(true);
    UUID bob = open(true);
    UUID holdId = Ids.newId();
    List<Map<String, Object>> events = new ArrayList<>();
    // Funding then spending it, in order, in one batch.
    events.add(transfer(issuance, alice, "1000", false));
    events.add(transfer(alice, bob, "100", false));
    // A chain of three whose last event overdraws bob: none of the three may stand.
    events.add(transfer(alice, bob, "200", true));
    events.add(transfer(issuance, bob, "5", true));
    events.add(transfer(bob, alice, "10000", false));
    // A hold and its post in the same batch.
    Map<String, Object> hold = transfer(alice, bob, "300", false);
    hold.put("type", "HOLD");
    hold.put("id", holdId.toString());
    events.add(hold);
    events.add(
        Map.of(
            "type",
            "POST",
            "id",
            Ids.newId().toString(),
            "pendingId",
            holdId.toString(),
            "amount",
            "120"));
    // A chain left open at the end of the batch.
    events.add(transfer(issuance, alice, "1", true));

    var response = post("/v1/ledger/batches", json.writeValueAsString(Map.of("events", events)));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<String> results = new ArrayList<>();
    body(response).get("results").forEach(r -> results.add(r.get("result").asString()));
    assertThat(results)
        .containsExactly(
            "OK",
            "OK",
            "LINKED_EVENT_FAILED",
            "LINKED_EVENT_FAILED",
            "INSUFFICIENT_FUNDS",
            "OK",
            "OK",
            "LINKED_EVENT_CHAIN_OPEN");
    assertThat(body(response).get("applied").asInt()).isEqualTo(4);
    assertThat(balance(alice)).isEqualTo(1000 - 100 - 120);
    assertThat(balance(bob)).isEqualTo(100 + 120);
    assertThat(accounts.find(alice).orElseThrow().debitsPending()).isZero();
    for (int i : new int[] {2, 3, 4, 7}) {
      assertThat(transferExists(UUID.fromString((String) events.get(i).get("id")))).isFalse();
    }

    // The same batch again: every applied event replays, nothing is written twice.
    var again = post("/v1/ledger/batches", json.writeValueAsString(Map.of("events", events)));
    List<String> replayed = new ArrayList<>();
    body(again).get("results").forEach(r -> replayed.add(r.get("result").asString()));
    assertThat(replayed.subList(0, 2)).containsOnly("EXISTS");
    assertThat(replayed.get(5)).isEqualTo("EXISTS");
    assertThat(replayed.get(6)).isEqualTo("EXISTS");
    assertThat(body(again).get("applied").asInt()).isZero();
    assertThat(balance(alice)).isEqualTo(780);
  }

  @Test
  void aFullBatchCreditingOneHotAccountUpdatesItOnce() throws Exception {
    UUID issuance = open(false);
    UUID hot = open(true);
    int n = TransferService.BATCH_TRANSFERS_MAX;
    List<Map<String, Object>> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      events.add(transfer(issuance, hot, "3", false));
    }
    long started = System.nanoTime();
    var response = post("/v1/ledger/batches", json.writeValueAsString(Map.of("events", events)));
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.println(
        "BatchIT: " + n + " transfers to one account in one batch took " + millis + " ms");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(body(response).get("applied").asInt()).isEqualTo(n);
    assertThat(balance(hot)).isEqualTo(3L * n);
    assertThat(
            jdbc.sql("select count(*) from ledger_entry where account_id = ?")
                .param(hot)
                .query(Long.class)
                .single())
        .isEqualTo(n);
  }

  @Test
  void badBatchesAreProblemsAndWriteNothing() throws Exception {
    UUID issuance = open(false);
    UUID alice = open(true);
    long before = count("ledger_transfer");
    List<Map<String, Object>> oversized = new ArrayList<>();
    for (int i = 0; i < TransferService.BATCH_TRANSFERS_MAX + 1; i++) {
      oversized.add(transfer(issuance, alice, "1", false));
    }
    var tooLarge = post("/v1/ledger/batches", json.writeValueAsString(Map.of("events", oversized)));
    assertThat(tooLarge.statusCode()).isEqualTo(400);
    assertThat(body(tooLarge).get("type").asString()).endsWith("/batch-too-large");

    Map<String, String> bad = new HashMap<>();
    String ok = json.writeValueAsString(transfer(issuance, alice, "5", false));
    bad.put("{\"events\":[" + ok + "," + ok.replace("\"5\"", "\"-5x\"") + "]}", "400");
    bad.put(
        "{\"events\":[" + ok + "," + ok.replace("\"5\"", "\"" + "9".repeat(40) + "\"") + "]}",
        "400");
    bad.put("{\"events\":[" + ok + "," + ok.replace("\"USD\"", "\"XYZ\"") + "]}", "422");
    bad.put("{\"events\":[" + ok + ",{\"type\":\"POST\",\"id\":\"" + Ids.newId() + "\"}]}", "400");
    bad.put("{\"events\":[" + ok + ",{\"id\":\"" + Ids.newId() + "\"}]}", "400");
    bad.put("{\"events\":[]}", "400");
    bad.put("{\"events\":[" + ok, "400");
    bad.put("not json", "400");
    for (var e : bad.entrySet()) {
      var response = post("/v1/ledger/batches", e.getKey());
      assertThat(String.valueOf(response.statusCode())).as(e.getKey()).isEqualTo(e.getValue());
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/problem+json");
    }
    assertThat(count("ledger_transfer")).isEqualTo(before);
    assertThat(balance(alice)).isZero();
  }

  @Test
  void fiftyIdenticalRequestsAtOnceMakeOneTransfer() throws Exception {
    UUID issuance = open(false);
    UUID alice = open(true);
    UUID id = Ids.newId();
    String body =
        json.writeValueAsString(
            Map.of(
                "id",
                id,
                "debitAccountId",
                issuance,
                "creditAccountId",
                alice,
                "amount",
                "77",
                "asset",
                "USD",
                "reference",
                "once"));
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        statuses.add(
            pool.submit(
                () -> {
                  start.await();
                  return post("/v1/ledger/transfers", body).statusCode();
                }));
      }
      start.countDown();
      Map<Integer, Integer> byStatus = new HashMap<>();
      for (var s : statuses) {
        byStatus.merge(s.get(60, TimeUnit.SECONDS), 1, Integer::sum);
      }
      assertThat(byStatus).containsEntry(201, 1).containsEntry(200, 49);
    } finally {
      pool.shutdownNow();
    }
    assertThat(balance(alice)).isEqualTo(77);
    assertThat(
            jdbc.sql("select count(*) from ledger_entry where transfer_id = ?")
                .param(id)
                .query(Long.class)
                .single())
        .isEqualTo(2);
    var other = post("/v1/ledger/transfers", body.replace("\"77\"", "\"78\""));
    assertThat(other.statusCode()).isEqualTo(422);
  }

  // --- helpers ------------------------------------------------------------------------------

  private Map<String, Object> transfer(UUID debit, UUID credit, String amount, boolean linked) {
    Map<String, Object> e = new HashMap<>();
    e.put("type", "TRANSFER");
    e.put("id", Ids.newId().toString());
    e.put("debitAccountId", debit.toString());
    e.put("creditAccountId", credit.toString());
    e.put("amount", amount);
    e.put("asset", "USD");
    e.put("linked", linked);
    return e;
  }

  private UUID open(boolean wallet) {
    return LedgerTestSupport.openUsd(accounts, wallet);
  }

  private long balance(UUID account) {
    return accounts.find(account).orElseThrow().balance().longValueExact();
  }

  private boolean transferExists(UUID id) {
    return transfers.find(id).isPresent();
  }

  private long count(String table) {
    return jdbc.sql("select count(*) from " + table).query(Long.class).single();
  }

  private static JsonNode body(HttpResponse<String> response) {
    return LedgerTestSupport.body(response);
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return LedgerTestSupport.post(port, path, body);
  }
}
