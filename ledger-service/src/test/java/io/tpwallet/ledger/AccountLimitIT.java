package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import io.tpwallet.common.event.AccountLimitChanged;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferRejected;
import io.tpwallet.common.event.TransferRequested;
import io.tpwallet.common.id.Ids;
import io.tpwallet.ledger.account.AccountFlag;
import io.tpwallet.ledger.account.AccountLimits;
import io.tpwallet.ledger.transfer.TransferCommand;
import io.tpwallet.ledger.transfer.TransferResult;
import io.tpwallet.ledger.transfer.TransferService;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.KafkaProbe;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Setting and clearing an account's no-overdraft limit after it was opened (a migration's cutover
 * and rollback), over REST, Kafka and raw SQL, on a real PostgreSQL and Kafka: the answers per
 * account, the refusals of transfers that would overdraw afterwards, the history and its event, the
 * database's refusal of a flag changed behind the service's back, and postings racing a change.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AccountLimitIT {

  private static final String LIMITS = "/v1/ledger/accounts/limits";
  private static final String DEBITS = "DEBITS_MUST_NOT_EXCEED_CREDITS";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "ledgerlimit");
  }

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired TransferService transfers;
  @Autowired AccountLimits limits;
  @Autowired Envelope envelope;
  @Autowired PlatformTransactionManager transactions;

  // --- the REST contract ------------------------------------------------------------------

  @Test
  void setRepeatClearRepeatAnswersPerAccountAndRecordsTheHistory() throws Exception {
    UUID issuance = open("issuance", "[]");
    UUID wallet = open("customer", "[]");
    assertThat(transfer(issuance, wallet, "100").statusCode()).isEqualTo(201);

    try (var probe = new KafkaProbe(Topics.LEDGER_ACCOUNT_LIMIT_CHANGED)) {
      assertThat(change(DEBITS, true, "migration j-1 cutover", wallet))
          .containsExactly(entry(wallet, "SET"));
      assertThat(flags(wallet)).containsExactly(DEBITS);
      assertThat(change(DEBITS, true, "migration j-1 cutover", wallet))
          .containsExactly(entry(wallet, "ALREADY_SET"));

      assertThat(change(DEBITS, false, "migration j-1 rollback", wallet))
          .containsExactly(entry(wallet, "CLEARED"));
      assertThat(flags(wallet)).isEmpty();
      assertThat(change(DEBITS, false, "migration j-1 rollback", wallet))
          .containsExactly(entry(wallet, "ALREADY_CLEAR"));

      // The history: the two changes, newest first, with their reasons.
      JsonNode history = body(get("/v1/ledger/accounts/" + wallet + "/limits"));
      JsonNode changes = history.get("changes");
      assertThat(changes.size()).isEqualTo(2);
      assertThat(changes.get(0).get("set").asBoolean()).isFalse();
      assertThat(changes.get(0).get("reason").asString()).isEqualTo("migration j-1 rollback");
      assertThat(changes.get(1).get("set").asBoolean()).isTrue();
      assertThat(changes.get(1).get("limit").asString()).isEqualTo(DEBITS);
      assertThat(changes.get(1).get("reason").asString()).isEqualTo("migration j-1 cutover");
      assertThat(history.get("flags").size()).isZero();
      JsonNode firstPage = body(get("/v1/ledger/accounts/" + wallet + "/limits?limit=1"));
      assertThat(firstPage.get("changes").size()).isEqualTo(1);
      JsonNode secondPage =
          body(
              get(
                  "/v1/ledger/accounts/"
                      + wallet
                      + "/limits?limit=1&before="
                      + firstPage.get("nextBefore").asLong()));
      assertThat(secondPage.get("changes").get(0).get("set").asBoolean()).isTrue();
      assertThat(get("/v1/ledger/accounts/" + Ids.newId() + "/limits").statusCode()).isEqualTo(404);
      assertThat(get("/v1/ledger/accounts/" + wallet + "/limits?limit=201").statusCode())
          .isEqualTo(400);

      // One event per change, keyed by the account, none for the ALREADY_ answers.
      probe.await(
          r -> r.key().equals(wallet.toString()) && !set(r.value()), Duration.ofSeconds(30));
      List<AccountLimitChanged> events =
          probe.all(r -> r.key().equals(wallet.toString()), Duration.ofSeconds(2)).stream()
              .map(r -> envelope.data(Envelope.deserialize(r.value()), AccountLimitChanged.class))
              .toList();
      assertThat(events).extracting(AccountLimitChanged::set).containsExactly(true, false);
      assertThat(events.get(0).reason()).isEqualTo("migration j-1 cutover");
      assertThat(events.get(0).limit()).isEqualTo(DEBITS);
      assertThat(events.get(0).changeId().toString())
          .isEqualTo(changes.get(1).get("id").asString());
    }
    // The money never moved.
    assertThat(account(wallet).get("balance").asString()).isEqualTo("100");
  }

  @Test
  void oneRequestAnswersEachAccountInOrderAndChangesOnlyThoseItSets() throws Exception {
    UUID issuance = open("issuance", "[]");
    UUID funded = open("customer", "[]");
    UUID exact = open("customer", "[]");
    UUID overdrawn = open("customer", "[]");
    UUID heldPast = open("customer", "[]");
    UUID liability = open("liability", "[\"CREDITS_MUST_NOT_EXCEED_DEBITS\"]");
    UUID limited = open("customer", "[\"" + DEBITS + "\"]");
    UUID unknown = Ids.newId();
    transfer(issuance, funded, "100");
    transfer(issuance, exact, "100");
    transfer(issuance, heldPast, "100");
    transfer(exact, issuance, "60");
    hold(exact, issuance, "40"); // 60 posted + 40 held = 100 credits: exactly at the limit
    transfer(overdrawn, issuance, "1"); // legacy history: an overdraft copied as it happened
    transfer(heldPast, issuance, "60");
    hold(heldPast, issuance, "41"); // balance 40 >= 0, but 60 + 41 held > 100

    var results =
        change(
            DEBITS,
            true,
            "migration j-2 cutover",
            overdrawn,
            funded,
            unknown,
            liability,
            exact,
            limited,
            heldPast);

    assertThat(results)
        .containsExactly(
            entry(overdrawn, "OVERDRAWN"),
            entry(funded, "SET"),
            entry(unknown, "NOT_FOUND"),
            entry(liability, "CONFLICTING_FLAG"),
            entry(exact, "SET"),
            entry(limited, "ALREADY_SET"),
            entry(heldPast, "OVERDRAWN"));
    assertThat(flags(overdrawn)).isEmpty();
    assertThat(flags(heldPast)).isEmpty();
    assertThat(flags(liability)).containsExactly("CREDITS_MUST_NOT_EXCEED_DEBITS");
    assertThat(historySize(overdrawn) + historySize(liability) + historySize(limited)).isZero();
    assertThat(historySize(funded)).isEqualTo(1);
    assertThat(historySize(exact)).isEqualTo(1);
    // The exact account has nothing left to spend; the held amount is still its own to post.
    assertThat(transfer(exact, issuance, "1").statusCode()).isEqualTo(422);

    // Clearing where nothing is set is ALREADY_CLEAR, also on the account with the other limit.
    assertThat(change(DEBITS, false, "migration j-2 rollback", overdrawn, liability, unknown))
        .containsExactly(
            entry(overdrawn, "ALREADY_CLEAR"),
            entry(liability, "ALREADY_CLEAR"),
            entry(unknown, "NOT_FOUND"));
  }

  @Test
  void theCreditSideLimitIsSetTheSameWay() throws Exception {
    UUID issuance = open("issuance", "[]");
    UUID loan = open("loan", "[]");
    UUID repaid = open("loan", "[]");
    transfer(loan, issuance, "50"); // lent 50
    transfer(repaid, issuance, "50");
    transfer(issuance, repaid, "60"); // over-repaid by 10

    assertThat(change("CREDITS_MUST_NOT_EXCEED_DEBITS", true, "loan book", loan, repaid))
        .containsExactly(entry(loan, "SET"), entry(repaid, "OVERDRAWN"));
    assertThat(transfer(issuance, loan, "51").statusCode()).isEqualTo(422);
    assertThat(transfer(issuance, loan, "50").statusCode()).isEqualTo(201);
  }

  @Test
  void afterTheLimitIsSetAnOverdraftIsRefusedOnEveryPathAndAfterItIsClearedItPosts()
      throws Exception {
    UUID issuance = open("issuance", "[]");
    UUID wallet = open("customer", "[]");
    UUID shop = open("customer", "[]");
    transfer(issuance, wallet, "100");
    assertThat(change(DEBITS, true, "migration j-3 cutover", wallet))
        .containsExactly(entry(wallet, "SET"));

    // REST, one transfer.
    var single = transfer(wallet, shop, "101");
    assertThat(single.statusCode()).isEqualTo(422);
    assertThat(body(single).get("type").asString()).endsWith("/problems/insufficient-funds");
    // REST, a batch.
    UUID inBatch = Ids.newId();
    assertThat(batchOf(inBatch, wallet, shop, "101")).isEqualTo("INSUFFICIENT_FUNDS");
    // Kafka, a command.
    UUID commanded = Ids.newId();
    try (var probe = new KafkaProbe(Topics.LEDGER_TRANSFER_REJECTED)) {
      probe.send(
          Topics.LEDGER_TRANSFER_REQUESTED,
          commanded.toString(),
          Envelope.serialize(
              envelope.wrap(
                  Topics.typeOf(Topics.LEDGER_TRANSFER_REQUESTED),
                  commanded.toString(),
                  new TransferRequested(commanded, wallet, shop, "101", "USD", "after cutover"))));
      var answer = probe.await(r -> r.key().equals(commanded.toString()), Duration.ofSeconds(30));
      CloudEvent event = Envelope.deserialize(answer.value());
      assertThat(envelope.data(event, TransferRejected.class).code())
          .isEqualTo("INSUFFICIENT_FUNDS");
    }
    // Spending what is there, and crediting, still work.
    assertThat(transfer(wallet, shop, "100").statusCode()).isEqualTo(201);
    assertThat(transfer(issuance, wallet, "5").statusCode()).isEqualTo(201);
    assertThat(account(wallet).get("balance").asString()).isEqualTo("5");

    assertThat(change(DEBITS, false, "migration j-3 rollback", wallet))
        .containsExactly(entry(wallet, "CLEARED"));
    assertThat(transfer(wallet, shop, "6").statusCode()).isEqualTo(201);
    assertThat(account(wallet).get("balance").asString()).isEqualTo("-1");
    assertThat(count("select count(*) from ledger_transfer where id in (?, ?)", inBatch, commanded))
        .isZero();
  }

  @Test
  void openingAgainWithTheOpeningFlagsIsStillTheSameAccountAfterALimitChange() throws Exception {
    UUID id = Ids.newId();
    String body = "{\"id\":\"" + id + "\",\"asset\":\"USD\",\"code\":\"customer\",\"flags\":[]}";
    assertThat(post("/v1/ledger/accounts", body).statusCode()).isEqualTo(201);
    change(DEBITS, true, "cutover", id);

    var again = post("/v1/ledger/accounts", body);

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(body(again).get("flags").get(0).asString()).isEqualTo(DEBITS);
    String withFlag = body.replace("[]", "[\"" + DEBITS + "\"]");
    assertThat(post("/v1/ledger/accounts", withFlag).statusCode()).isEqualTo(409);
  }

  @Test
  void aMalformedRequestIsAProblemAndChangesNothing() throws Exception {
    UUID wallet = open("customer", "[]");
    String w = "\"" + wallet + "\"";
    List<String> ids = new ArrayList<>();
    for (int i = 0; i <= AccountLimits.ACCOUNTS_PER_REQUEST_MAX; i++) {
      ids.add("\"" + (i == 0 ? wallet : Ids.newId()) + "\"");
    }
    Map<String, String> badRequests = new LinkedHashMap<>();
    badRequests.put(
        "too many ids", request(DEBITS, "true", "\"r\"", "[" + String.join(",", ids) + "]"));
    badRequests.put("no ids", request(DEBITS, "true", "\"r\"", "[]"));
    badRequests.put("a duplicate", request(DEBITS, "true", "\"r\"", "[" + w + "," + w + "]"));
    badRequests.put(
        "a duplicate in capitals",
        request(DEBITS, "true", "\"r\"", "[" + w + "," + w.toUpperCase() + "]"));
    badRequests.put("not a uuid", request(DEBITS, "true", "\"r\"", "[" + w + ",\"w-1\"]"));
    badRequests.put("a null id", request(DEBITS, "true", "\"r\"", "[" + w + ",null]"));
    badRequests.put("no reason", request(DEBITS, "true", null, "[" + w + "]"));
    badRequests.put("a blank reason", request(DEBITS, "true", "\"  \"", "[" + w + "]"));
    badRequests.put(
        "a reason of 257", request(DEBITS, "true", "\"" + "r".repeat(257) + "\"", "[" + w + "]"));
    badRequests.put("a control character", request(DEBITS, "true", "\"a\\u0000b\"", "[" + w + "]"));
    badRequests.put("no set", request(DEBITS, null, "\"r\"", "[" + w + "]"));
    badRequests.put("no limit", request(null, "true", "\"r\"", "[" + w + "]"));
    badRequests.put("cut-off JSON", "{\"limit\":\"" + DEBITS + "\",\"set\":tr");
    badRequests.put("set as a number", request(DEBITS, "1.5", "\"r\"", "[" + w + "]"));
    for (var bad : badRequests.entrySet()) {
      var response = post(LIMITS, bad.getValue());
      assertThat(response.statusCode()).as(bad.getKey()).isEqualTo(400);
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .as(bad.getKey())
          .startsWith("application/problem+json");
    }
    var duplicate = body(post(LIMITS, badRequests.get("a duplicate")));
    assertThat(duplicate.get("errors").get(0).get("field").asString()).isEqualTo("accountIds[1]");

    var unknownLimit = post(LIMITS, request("NO_OVERDRAFT", "true", "\"r\"", "[" + w + "]"));
    assertThat(unknownLimit.statusCode()).isEqualTo(422);
    assertThat(body(unknownLimit).get("type").asString()).endsWith("/problems/unknown-limit");

    // A reason of exactly 256 is accepted: the boundary.
    assertThat(change(DEBITS, true, "r".repeat(256), wallet)).containsExactly(entry(wallet, "SET"));
    assertThat(historySize(wallet)).isEqualTo(1);
  }

  @Test
  void anIdempotencyKeyIsHonouredAsOnTheOtherPosts() throws Exception {
    UUID wallet = open("customer", "[]");
    String body = request(DEBITS, "true", "\"cutover\"", "[\"" + wallet + "\"]");
    String key = "limits-" + Ids.newId();

    var first = post(LIMITS, body, key);
    var replay = post(LIMITS, body, key);
    var reused = post(LIMITS, request(DEBITS, "false", "\"x\"", "[\"" + wallet + "\"]"), key);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(replay.statusCode()).isEqualTo(200);
    assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(replay.body()).isEqualTo(first.body());
    assertThat(reused.statusCode()).isEqualTo(422);
    assertThat(body(reused).get("type").asString()).endsWith("/problems/idempotency-key-reused");
    assertThat(flags(wallet)).containsExactly(DEBITS);
    assertThat(historySize(wallet)).isEqualTo(1);
    // Without a key, the repeat is answered by the state itself.
    assertThat(results(post(LIMITS, body))).containsExactly(entry(wallet, "ALREADY_SET"));
  }

  @Test
  void theRestApiDescribesTheLimitEndpoints() throws Exception {
    JsonNode paths = body(get("/v3/api-docs")).get("paths");
    assertThat(paths.get(LIMITS).get("post").get("description").asString())
        .contains("OVERDRAWN", "CONFLICTING_FLAG", "1..1000");
    assertThat(paths.has("/v1/ledger/accounts/{id}/limits")).isTrue();
  }

  // --- the database's rules -----------------------------------------------------------------

  @Test
  void theDatabaseRefusesAFlagChangedWithoutItsHistoryRow() throws Exception {
    UUID issuance = open("issuance", "[]");
    UUID wallet = open("customer", "[]");
    transfer(issuance, wallet, "10");
    TransactionTemplate tx = new TransactionTemplate(transactions);
    String setFlag = "update ledger_account set debits_must_not_exceed_credits = true where id = ?";

    assertThatThrownBy(() -> jdbc.sql(setFlag).param(wallet).update())
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("a limit flag changes only with its row");
    // A history row of another transaction does not count.
    limits.change(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS, true, "set", List.of(wallet));
    limits.change(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS, false, "clear", List.of(wallet));
    assertThatThrownBy(() -> jdbc.sql(setFlag).param(wallet).update())
        .hasMessageContaining("a limit flag changes only with its row");
    // A row that records no change, and a row whose flag is then not changed, are refused.
    assertThatThrownBy(() -> insertChange(wallet, false))
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("is already clear");
    // (checked at commit: the failed commit carries the database's refusal)
    assertThatThrownBy(() -> tx.executeWithoutResult(s -> insertChange(wallet, true)))
        .hasStackTraceContaining("was recorded but the flag was not changed");
    // Clearing the flag behind the service's back is refused too.
    limits.change(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS, true, "set", List.of(wallet));
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        "update ledger_account set debits_must_not_exceed_credits = false"
                            + " where id = ?")
                    .param(wallet)
                    .update())
        .hasMessageContaining("a limit flag changes only with its row");
    // The history is append-only.
    assertThatThrownBy(
            () ->
                jdbc.sql("update ledger_account_limit_change set reason = 'x' where account_id = ?")
                    .param(wallet)
                    .update())
        .hasMessageContaining("append-only");
    assertThatThrownBy(
            () ->
                jdbc.sql("delete from ledger_account_limit_change where account_id = ?")
                    .param(wallet)
                    .update())
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> jdbc.sql("truncate ledger_account_limit_change").update())
        .hasMessageContaining("append-only");
    assertThat(historySize(wallet)).isEqualTo(3);

    // With its row in the same transaction the flag changes; on an overdrawn account the limit's
    // check constraint refuses it even so.
    UUID overdrawn = open("customer", "[]");
    transfer(overdrawn, issuance, "1");
    UUID byHand = open("customer", "[]");
    transfer(issuance, byHand, "5");
    tx.executeWithoutResult(
        s -> {
          insertChange(byHand, true);
          jdbc.sql(setFlag).param(byHand).update();
        });
    assertThat(flags(byHand)).containsExactly(DEBITS);
    assertThat(historySize(byHand)).isEqualTo(1);
    assertThatThrownBy(
            () ->
                tx.executeWithoutResult(
                    s -> {
                      insertChange(overdrawn, true);
                      jdbc.sql(setFlag).param(overdrawn).update();
                    }))
        .hasMessageContaining("ledger_account_debits_within_credits");
    // Both limits on one account are refused.
    UUID liability = open("liability", "[\"CREDITS_MUST_NOT_EXCEED_DEBITS\"]");
    assertThatThrownBy(
            () ->
                tx.executeWithoutResult(
                    s -> {
                      insertChange(liability, true);
                      jdbc.sql(setFlag).param(liability).update();
                    }))
        .hasMessageContaining("ledger_account_one_limit");
    assertThat(flags(overdrawn)).isEmpty();
    assertThat(flags(liability)).containsExactly("CREDITS_MUST_NOT_EXCEED_DEBITS");
    assertThat(historySize(overdrawn) + historySize(liability)).isZero();
    // The chain is untouched by limit changes and still verifies.
    assertThat(body(get("/v1/ledger/verify")).get("ok").asBoolean()).isTrue();
  }

  private void insertChange(UUID account, boolean set) {
    jdbc.sql(
            "insert into ledger_account_limit_change (id, account_id, limit_name, set, reason,"
                + " changed_at) values (?, ?, ?, ?, 'by hand', now())")
        .params(Ids.newId(), account, DEBITS, set)
        .update();
  }

  // --- races with postings ------------------------------------------------------------------

  /**
   * A change waits for a posting that holds the account's lock and counts it; a posting waits for a
   * change that holds it and is refused by it. Each side is held open inside a transaction of the
   * test's own, with the other side's request started meanwhile.
   */
  @Test
  void aChangeAndAPostingOnTheSameAccountRunOneAfterTheOther() throws Exception {
    UUID issuance = open("issuance", "[]");
    UUID wallet = open("customer", "[]");
    UUID shop = open("customer", "[]");
    transfer(issuance, wallet, "100");
    TransactionTemplate tx = new TransactionTemplate(transactions);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      // A posting that overdraws, still open, while the limit is asked for.
      CountDownLatch posted = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Future<?> posting =
          pool.submit(
              () ->
                  tx.executeWithoutResult(
                      s -> {
                        var p =
                            transfers.execute(
                                List.of(
                                    new TransferCommand(
                                        Ids.newId(),
                                        wallet,
                                        shop,
                                        BigInteger.valueOf(150),
                                        "USD",
                                        "in flight")));
                        assertThat(p.get(0).result()).isEqualTo(TransferResult.OK);
                        posted.countDown();
                        await(release);
                      }));
      assertThat(posted.await(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Map<UUID, String>> set =
          CompletableFuture.supplyAsync(() -> unchecked(() -> change(DEBITS, true, "c", wallet)));
      Thread.sleep(500);
      assertThat(set).as("the change waits for the posting's lock").isNotDone();
      release.countDown();
      posting.get(30, TimeUnit.SECONDS);
      assertThat(set.get(30, TimeUnit.SECONDS)).containsExactly(entry(wallet, "OVERDRAWN"));

      // The other way round: a limit set, still open, while an overdraft is asked for.
      UUID other = open("customer", "[]");
      transfer(issuance, other, "100");
      CountDownLatch changed = new CountDownLatch(1);
      CountDownLatch commit = new CountDownLatch(1);
      Future<?> change =
          pool.submit(
              () ->
                  tx.executeWithoutResult(
                      s -> {
                        assertThat(
                                limits.change(
                                    AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS,
                                    true,
                                    "c",
                                    List.of(other)))
                            .extracting(AccountLimits.Outcome::result)
                            .containsExactly(AccountLimits.Result.SET);
                        changed.countDown();
                        await(commit);
                      }));
      assertThat(changed.await(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Integer> overdraft =
          CompletableFuture.supplyAsync(
              () -> unchecked(() -> transfer(other, shop, "150").statusCode()));
      Thread.sleep(500);
      assertThat(overdraft).as("the posting waits for the change's lock").isNotDone();
      commit.countDown();
      change.get(30, TimeUnit.SECONDS);
      assertThat(overdraft.get(30, TimeUnit.SECONDS)).isEqualTo(422);
      assertThat(account(other).get("balance").asString()).isEqualTo("100");
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Rounds of postings from eight threads (single transfers through the group commit, and batches)
   * that together would overdraw a wallet, with the limit set at a random moment: every answer is a
   * result (no 5xx from a constraint a stale check broke), the limit is set exactly when the wallet
   * was not past it, and once set the wallet never passes it. Seeded ({@code -Dledger.limit.seed}).
   */
  @Test
  void postingsRacingALimitChangeNeverLeaveALimitedWalletOverdrawn() throws Exception {
    long seed = Long.getLong("ledger.limit.seed", System.nanoTime());
    Random random = new Random(seed);
    UUID issuance = open("issuance", "[]");
    UUID shop = open("customer", "[]");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    Map<String, Integer> limitAnswers = new HashMap<>();
    try {
      for (int round = 0; round < 6; round++) {
        String where = "seed " + seed + " round " + round;
        UUID wallet = open("customer", "[]");
        transfer(issuance, wallet, "1000");
        int postingsCount = 32;
        int setAfter = random.nextInt(postingsCount);
        CountDownLatch started = new CountDownLatch(setAfter + 1);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < postingsCount; i++) {
          boolean asBatch = random.nextBoolean();
          answers.add(
              pool.submit(
                  () -> {
                    started.countDown();
                    if (!asBatch) {
                      return transfer(wallet, shop, "50").statusCode();
                    }
                    String result = batchOf(Ids.newId(), wallet, shop, "50");
                    assertThat(result).isIn("OK", "INSUFFICIENT_FUNDS");
                    return result.equals("OK") ? 200 : 422;
                  }));
        }
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        String result = change(DEBITS, true, "race " + round, wallet).get(wallet);
        limitAnswers.merge(result, 1, Integer::sum);
        int accepted = 0;
        for (Future<Integer> a : answers) {
          int status = a.get(60, TimeUnit.SECONDS);
          assertThat(status).as(where).isIn(200, 201, 422);
          accepted += status == 422 ? 0 : 1;
        }
        JsonNode view = account(wallet);
        BigInteger debits = new BigInteger(view.get("debitsPosted").asString());
        BigInteger credits = new BigInteger(view.get("creditsPosted").asString());
        assertThat(debits).as(where).isEqualTo(BigInteger.valueOf(50L * accepted));
        assertThat(result).as(where).isIn("SET", "OVERDRAWN");
        if (result.equals("SET")) {
          assertThat(debits).as(where + ": limited, never past it").isLessThanOrEqualTo(credits);
          assertThat(flags(wallet)).as(where).containsExactly(DEBITS);
        } else {
          assertThat(accepted).as(where + ": no limit, nothing refused").isEqualTo(postingsCount);
          assertThat(flags(wallet)).as(where).isEmpty();
        }
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.println("AccountLimitIT race: seed " + seed + ", limit answers " + limitAnswers);
    assertThat(body(get("/v1/ledger/verify")).get("ok").asBoolean()).isTrue();
  }

  /** Applies a batch of one transfer and answers its result code. */
  private String batchOf(UUID id, UUID debit, UUID credit, String amount) throws Exception {
    Map<String, Object> event = new HashMap<>(transferFields(id, debit, credit, amount));
    event.put("type", "TRANSFER");
    var response =
        post("/v1/ledger/batches", JSON.writeValueAsString(Map.of("events", List.of(event))));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return body(response).get("results").get(0).get("result").asString();
  }

  // --- helpers ------------------------------------------------------------------------------

  private static Map.Entry<UUID, String> entry(UUID id, String result) {
    return Map.entry(id, result);
  }

  private static String request(String limit, String set, String reasonJson, String idsJson) {
    StringBuilder b = new StringBuilder("{");
    if (limit != null) {
      b.append("\"limit\":\"").append(limit).append("\",");
    }
    if (set != null) {
      b.append("\"set\":").append(set).append(',');
    }
    if (reasonJson != null) {
      b.append("\"reason\":").append(reasonJson).append(',');
    }
    return b.append("\"accountIds\":").append(idsJson).append('}').toString();
  }

  /** Sets or clears {@code limit} over REST and answers the results by account, in order. */
  private Map<UUID, String> change(String limit, boolean set, String reason, UUID... ids)
      throws Exception {
    var response =
        post(
            LIMITS,
            JSON.writeValueAsString(
                Map.of("limit", limit, "set", set, "reason", reason, "accountIds", List.of(ids))));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return results(response);
  }

  private static Map<UUID, String> results(HttpResponse<String> response) {
    Map<UUID, String> results = new LinkedHashMap<>();
    body(response)
        .get("results")
        .forEach(
            r ->
                results.put(
                    UUID.fromString(r.get("accountId").asString()), r.get("result").asString()));
    return results;
  }

  private boolean set(byte[] value) {
    return envelope.data(Envelope.deserialize(value), AccountLimitChanged.class).set();
  }

  private UUID open(String code, String flags) throws Exception {
    var response =
        post(
            "/v1/ledger/accounts",
            "{\"asset\":\"USD\",\"code\":\"" + code + "\",\"flags\":" + flags + "}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return UUID.fromString(body(response).get("id").asString());
  }

  private static Map<String, Object> transferFields(
      UUID id, UUID debit, UUID credit, String amount) {
    return Map.of(
        "id",
        id,
        "debitAccountId",
        debit,
        "creditAccountId",
        credit,
        "amount",
        amount,
        "asset",
        "USD");
  }

  private HttpResponse<String> transfer(UUID debit, UUID credit, String amount) throws Exception {
    return post(
        "/v1/ledger/transfers",
        JSON.writeValueAsString(transferFields(Ids.newId(), debit, credit, amount)));
  }

  private void hold(UUID debit, UUID credit, String amount) throws Exception {
    Map<String, Object> fields = new HashMap<>(transferFields(Ids.newId(), debit, credit, amount));
    fields.put("pending", true);
    var response = post("/v1/ledger/transfers", JSON.writeValueAsString(fields));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
  }

  private JsonNode account(UUID id) throws Exception {
    var response = get("/v1/ledger/accounts/" + id);
    assertThat(response.statusCode()).isEqualTo(200);
    return body(response);
  }

  private List<String> flags(UUID id) throws Exception {
    List<String> flags = new ArrayList<>();
    account(id).get("flags").forEach(f -> flags.add(f.asString()));
    return flags;
  }

  private long historySize(UUID account) {
    return count("select count(*) from ledger_account_limit_change where account_id = ?", account);
  }

  private long count(String sql, Object... params) {
    return jdbc.sql(sql).params(params).query(Long.class).single();
  }

  private static JsonNode body(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return LedgerTestSupport.get(port, path);
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return LedgerTestSupport.post(port, path, body);
  }

  private HttpResponse<String> post(String path, String body, String idempotencyKey)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotencyKey)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private interface Call<T> {
    T call() throws Exception;
  }

  private static <T> T unchecked(Call<T> call) {
    try {
      return call.call();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
