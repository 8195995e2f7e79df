package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.id.Ids;
import io.tpwallet.ledger.account.Accounts;
import io.tpwallet.ledger.idempotency.IdempotencyFilter;
import io.tpwallet.testkit.Infrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
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
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The Idempotency-Key header on the ledger's money-moving POSTs (IETF draft semantics). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class IdempotencyIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String TRANSFERS = "/v1/ledger/transfers";

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "ledgeridem");
  }

  @LocalServerPort int port;
  @Autowired Accounts accounts;
  @Autowired JdbcClient jdbc;
  @Autowired DataSource dataSource;

  @Test
  void fiftyParallelIdenticalRequestsWithOneKeyMakeExactlyOneTransfer() throws Exception {
    UUID issuance = LedgerTestSupport.openUsd(accounts, false);
    UUID alice = LedgerTestSupport.openUsd(accounts, true);
    UUID id = Ids.newId();
    String body = transfer(id, issuance, alice, "77");
    String key = "k-" + Ids.newId();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    Map<Integer, Integer> byStatus = new HashMap<>();
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        statuses.add(
            pool.submit(
                () -> {
                  start.await();
                  return post(TRANSFERS, key, body).statusCode();
                }));
      }
      start.countDown();
      for (var s : statuses) {
        byStatus.merge(s.get(60, TimeUnit.SECONDS), 1, Integer::sum);
      }
    } finally {
      pool.shutdownNow();
    }
    // One ran; the others were answered "in flight" (409) or got its answer replayed (201).
    assertThat(byStatus.keySet()).isSubsetOf(201, 409);
    assertThat(byStatus.get(201)).isPositive();
    assertThat(entries(id)).isEqualTo(2);
    assertThat(balance(alice)).isEqualTo("77");

    var replay = post(TRANSFERS, key, body);
    assertThat(replay.statusCode()).isEqualTo(201);
    assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(LedgerTestSupport.body(replay).get("id").asString()).isEqualTo(id.toString());
    assertThat(entries(id)).isEqualTo(2);
  }

  @Test
  void theSameKeyWithAnotherBodyIs422AndChangesNothing() throws Exception {
    UUID issuance = LedgerTestSupport.openUsd(accounts, false);
    UUID alice = LedgerTestSupport.openUsd(accounts, true);
    String key = "k-" + Ids.newId();
    assertThat(post(TRANSFERS, key, transfer(Ids.newId(), issuance, alice, "5")).statusCode())
        .isEqualTo(201);

    UUID other = Ids.newId();
    var reused = post(TRANSFERS, key, transfer(other, issuance, alice, "6"));

    assertThat(reused.statusCode()).isEqualTo(422);
    assertThat(reused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(LedgerTestSupport.body(reused).get("type").asString())
        .endsWith("/problems/idempotency-key-reused");
    assertThat(entries(other)).isZero();
    assertThat(balance(alice)).isEqualTo("5");
  }

  @Test
  void aKeyWhoseRequestIsStillRunningIs409AndAStaleClaimIsTakenOver() throws Exception {
    UUID issuance = LedgerTestSupport.openUsd(accounts, false);
    UUID alice = LedgerTestSupport.openUsd(accounts, true);
    UUID id = Ids.newId();
    String body = transfer(id, issuance, alice, "9");
    String key = "k-" + Ids.newId();
    byte[] hash =
        IdempotencyFilter.requestHash("POST", TRANSFERS, body.getBytes(StandardCharsets.UTF_8));
    // Another instance has claimed the key and not answered yet.
    jdbc.sql("insert into ledger_idempotency (idem_key, request_hash) values (?, ?)")
        .params(key, hash)
        .update();

    var inFlight = post(TRANSFERS, key, body);

    assertThat(inFlight.statusCode()).isEqualTo(409);
    assertThat(LedgerTestSupport.body(inFlight).get("type").asString())
        .endsWith("/problems/idempotency-key-in-flight");
    assertThat(entries(id)).isZero();

    // The claimer died two minutes ago: the retry takes the key over and runs.
    jdbc.sql(
            "update ledger_idempotency set started_at = now() - interval '2 minutes'"
                + " where idem_key = ?")
        .param(key)
        .update();
    assertThat(post(TRANSFERS, key, body).statusCode()).isEqualTo(201);
    assertThat(entries(id)).isEqualTo(2);
  }

  @Test
  void aSecondRequestWhileTheFirstIsStillRunningIs409AtOnceNotAWait() throws Exception {
    UUID issuance = LedgerTestSupport.openUsd(accounts, false);
    UUID alice = LedgerTestSupport.openUsd(accounts, true);
    UUID id = Ids.newId();
    String body = transfer(id, issuance, alice, "12");
    String key = "k-" + Ids.newId();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    // A transaction of the test's own locks alice's account row: the first request is slow
    // because the ledger waits for that lock before it can post.
    try (Connection blocker = dataSource.getConnection()) {
      blocker.setAutoCommit(false);
      try (var lock =
          blocker.prepareStatement("select 1 from ledger_account where id = ? for update")) {
        lock.setObject(1, alice);
        lock.executeQuery();
      }
      Future<HttpResponse<String>> first = pool.submit(() -> post(TRANSFERS, key, body));
      awaitClaim(key);

      long started = System.nanoTime();
      var second = post(TRANSFERS, key, body);
      long waitedMs = (System.nanoTime() - started) / 1_000_000;

      assertThat(second.statusCode()).isEqualTo(409);
      assertThat(second.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(LedgerTestSupport.body(second).get("type").asString())
          .endsWith("/problems/idempotency-key-in-flight");
      assertThat(waitedMs).as("answered without waiting for the first").isLessThan(5_000);
      assertThat(first.isDone()).as("the first is still running").isFalse();
      assertThat(entries(id)).isZero();

      blocker.rollback();
      assertThat(first.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
    } finally {
      pool.shutdownNow();
    }
    var third = post(TRANSFERS, key, body);
    assertThat(third.statusCode()).isEqualTo(201);
    assertThat(third.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(entries(id)).isEqualTo(2);
    assertThat(balance(alice)).isEqualTo("12");
  }

  private void awaitClaim(String key) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      if (jdbc.sql("select count(*) from ledger_idempotency where idem_key = ?")
              .param(key)
              .query(Long.class)
              .single()
          == 1) {
        return;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("the first request never claimed its key");
  }

  @Test
  void anInvalidKeyIs400AndAMissingOneFallsBackToTheTransferId() throws Exception {
    UUID issuance = LedgerTestSupport.openUsd(accounts, false);
    UUID alice = LedgerTestSupport.openUsd(accounts, true);
    UUID id = Ids.newId();
    String body = transfer(id, issuance, alice, "3");

    var invalid = post(TRANSFERS, "x".repeat(256), body);
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(entries(id)).isZero();

    // Without the header the caller-made id is the idempotency key.
    assertThat(post(TRANSFERS, null, body).statusCode()).isEqualTo(201);
    assertThat(post(TRANSFERS, null, body).statusCode()).isEqualTo(200);
    assertThat(entries(id)).isEqualTo(2);
  }

  // --- helpers ------------------------------------------------------------------------------

  private static String transfer(UUID id, UUID debit, UUID credit, String amount) {
    return "{\"id\":\"%s\",\"debitAccountId\":\"%s\",\"creditAccountId\":\"%s\",\"amount\":\"%s\",\"asset\":\"USD\",\"reference\":\"idem\"}"
        .formatted(id, debit, credit, amount);
  }

  private HttpResponse<String> post(String path, String key, String body) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private long entries(UUID transferId) {
    return jdbc.sql("select count(*) from ledger_entry where transfer_id = ?")
        .param(transferId)
        .query(Long.class)
        .single();
  }

  private String balance(UUID account) throws Exception {
    return LedgerTestSupport.body(LedgerTestSupport.get(port, "/v1/ledger/accounts/" + account))
        .get("balance")
        .asString();
  }
}
