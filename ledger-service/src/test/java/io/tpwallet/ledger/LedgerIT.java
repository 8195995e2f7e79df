package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.cloudevents.CloudEvent;
import io.tpwallet.common.event.AccountOpenRejected;
import io.tpwallet.common.event.AccountOpenRequested;
import io.tpwallet.common.event.AccountOpened;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferPosted;
import io.tpwallet.common.event.TransferRejected;
import io.tpwallet.common.event.TransferRequested;
import io.tpwallet.common.event.TransferReverseRequested;
import io.tpwallet.common.event.TransfersAnswered;
import io.tpwallet.common.event.TransfersRequested;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.money.Asset;
import io.tpwallet.ledger.account.AccountFlag;
import io.tpwallet.ledger.account.Accounts;
import io.tpwallet.ledger.transfer.TransferCommand;
import io.tpwallet.ledger.transfer.TransferResult;
import io.tpwallet.ledger.transfer.TransferService;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.TestKafka;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The ledger as its users see it: over HTTP and Kafka, on a real PostgreSQL and Kafka. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LedgerIT {

  private static final String WALLET = "[\"DEBITS_MUST_NOT_EXCEED_CREDITS\"]";
  private static final Duration EVENT_WAIT = Duration.ofSeconds(30);

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "ledger");
  }

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired TransferService transfers;
  @Autowired Accounts accounts;
  @Autowired Envelope envelope;
  @Autowired KafkaTemplate<String, byte[]> kafka;

  private final HttpClient http = HttpClient.newHttpClient();
  private final JsonMapper json = JsonMapper.builder().build();

  // --- REST -------------------------------------------------------------------------------

  @Test
  void theRestApiIsDescribedByOpenApi() throws Exception {
    var response = get("/v3/api-docs");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode api = body(response);
    assertThat(api.get("openapi").asString()).startsWith("3.");
    JsonNode paths = api.get("paths");
    for (String path :
        List.of(
            "/v1/ledger/accounts",
            "/v1/ledger/accounts/{id}",
            "/v1/ledger/transfers",
            "/v1/ledger/transfers/{id}",
            "/v1/ledger/transfers/{pendingId}/post",
            "/v1/ledger/transfers/{pendingId}/void",
            "/v1/ledger/transfers/{id}/reverse",
            "/v1/ledger/batches",
            "/v1/ledger/verify",
            "/v1/ledger/accounts/{id}/statement",
            "/v1/ledger/accounts/{id}/balance",
            "/v1/ledger/archives",
            "/v1/ledger/archives/{month}",
            "/v1/ledger/archives/{month}/restore")) {
      assertThat(paths.has(path)).as(path).isTrue();
    }
    // Queries that reach an archived month say so, and the answer documents it.
    assertThat(paths.get("/v1/ledger/transfers").get("get").get("description").asString())
        .contains("archived");
    assertThat(paths.get("/v1/ledger/archives").get("post").get("description").asString())
        .contains("archive-month-too-recent");
    JsonNode postTransfer = paths.get("/v1/ledger/transfers").get("post");
    assertThat(postTransfer.get("summary").asString()).isEqualTo("Post a transfer or place a hold");
    assertThat(postTransfer.get("description").asString()).contains("idempotency key");
    JsonNode listParams = paths.get("/v1/ledger/transfers").get("get").get("parameters");
    List<String> names = new ArrayList<>();
    listParams.forEach(p -> names.add(p.get("name").asString()));
    assertThat(names).contains("accountId", "cursor", "metadataKey", "metadataValue");
  }

  @Test
  void fundingThenPaymentMovesBalancesAndWritesTheStatement() throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID bob = openAccount("USD", "customer", WALLET);

    var funding = postTransfer(Ids.newId(), issuance, alice, "10000", "USD", "funding");
    assertThat(funding.statusCode()).isEqualTo(201);
    UUID paymentId = Ids.newId();
    var payment = postTransfer(paymentId, alice, bob, "2500", "USD", "coffee");
    assertThat(payment.statusCode()).isEqualTo(201);
    assertThat(body(payment).get("amount").asString()).isEqualTo("2500");

    JsonNode aliceView = body(get("/v1/ledger/accounts/" + alice));
    assertThat(aliceView.get("balance").asString()).isEqualTo("7500");
    assertThat(aliceView.get("creditsPosted").asString()).isEqualTo("10000");
    assertThat(aliceView.get("debitsPosted").asString()).isEqualTo("2500");
    assertThat(aliceView.get("flags").get(0).asString())
        .isEqualTo("DEBITS_MUST_NOT_EXCEED_CREDITS");
    assertThat(balance(bob)).isEqualTo("2500");
    assertThat(balance(issuance)).isEqualTo("-10000");

    var stored = get("/v1/ledger/transfers/" + paymentId);
    assertThat(stored.statusCode()).isEqualTo(200);
    assertThat(body(stored).get("reference").asString()).isEqualTo("coffee");
    assertThat(get("/v1/ledger/transfers/" + Ids.newId()).statusCode()).isEqualTo(404);

    JsonNode statement = body(get("/v1/ledger/accounts/" + alice + "/entries?limit=10"));
    JsonNode entries = statement.get("entries");
    assertThat(entries.size()).isEqualTo(2);
    assertThat(entries.get(0).get("direction").asString()).isEqualTo("DEBIT");
    assertThat(entries.get(0).get("amount").asString()).isEqualTo("2500");
    assertThat(entries.get(0).get("counterpartyAccountId").asString()).isEqualTo(bob.toString());
    assertThat(entries.get(1).get("direction").asString()).isEqualTo("CREDIT");
    assertThat(entries.get(1).get("amount").asString()).isEqualTo("10000");

    JsonNode firstPage = body(get("/v1/ledger/accounts/" + alice + "/entries?limit=1"));
    assertThat(firstPage.get("entries").size()).isEqualTo(1);
    long next = firstPage.get("nextBefore").asLong();
    JsonNode secondPage =
        body(get("/v1/ledger/accounts/" + alice + "/entries?limit=1&before=" + next));
    assertThat(secondPage.get("entries").get(0).get("direction").asString()).isEqualTo("CREDIT");
    assertThat(get("/v1/ledger/accounts/" + alice + "/entries?limit=100000").statusCode())
        .isEqualTo(400);
    assertThat(get("/v1/ledger/accounts/" + Ids.newId() + "/entries").statusCode()).isEqualTo(404);
  }

  @Test
  void replayingATransferAnswers200WithTheSameTransferAndPostsOnce() throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID id = Ids.newId();

    var first = postTransfer(id, issuance, alice, "700", "USD", "funding");
    var again = postTransfer(id, issuance, alice, "700", "USD", "funding");

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(body(again).get("createdAt").asString())
        .isEqualTo(body(first).get("createdAt").asString());
    assertThat(balance(alice)).isEqualTo("700");
    assertThat(entryCount(id)).isEqualTo(2);
  }

  /**
   * A plain JSON transfer POST is answered by TransferPostFilter without Spring MVC's dispatch; one
   * that asks for other media types as well goes through the controller. Both answer alike: the
   * posting, its replay and a refusal.
   */
  @Test
  void theFastPathAnswersTransfersAsTheControllerDoes() throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID bob = openAccount("USD", "customer", WALLET);
    String viaController = "application/json, text/plain;q=0.5";

    UUID fast = Ids.newId();
    var posted = postTransfer(fast, issuance, alice, "900", "USD", "funding", null);
    UUID slow = Ids.newId();
    var postedSlowly = postTransfer(slow, issuance, alice, "100", "USD", "funding", viaController);
    for (var created : List.of(posted, postedSlowly)) {
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      assertThat(created.headers().firstValue("Content-Type")).hasValue("application/json");
    }
    assertThat(posted.headers().firstValue("Location")).hasValue("/v1/ledger/transfers/" + fast);
    assertThat(postedSlowly.headers().firstValue("Location"))
        .hasValue("/v1/ledger/transfers/" + slow);

    var replayed = postTransfer(fast, issuance, alice, "900", "USD", "funding", null);
    var replayedSlowly =
        postTransfer(fast, issuance, alice, "900", "USD", "funding", viaController);
    assertThat(replayed.statusCode()).isEqualTo(200);
    assertThat(replayedSlowly.statusCode()).isEqualTo(200);
    assertThat(replayed.body()).isEqualTo(replayedSlowly.body()).isEqualTo(posted.body());
    assertThat(replayed.headers().firstValue("Content-Type"))
        .isEqualTo(replayedSlowly.headers().firstValue("Content-Type"));

    UUID tooMuch = Ids.newId();
    var refused = postTransfer(tooMuch, alice, bob, "1001", "USD", "too much", null);
    var refusedSlowly = postTransfer(tooMuch, alice, bob, "1001", "USD", "too much", viaController);
    assertThat(refused.statusCode()).isEqualTo(422);
    assertProblem(refused, "insufficient-funds");
    assertThat(refused.body()).isEqualTo(refusedSlowly.body());
    assertThat(refused.headers().firstValue("Content-Type"))
        .isEqualTo(refusedSlowly.headers().firstValue("Content-Type"));
    assertThat(balance(alice)).isEqualTo("1000");
    assertThat(balance(bob)).isEqualTo("0");
  }

  @Test
  void reusingATransferIdForOtherFieldsIsRefusedWith422AndChangesNothing() throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID id = Ids.newId();
    postTransfer(id, issuance, alice, "700", "USD", "funding");

    var other = postTransfer(id, issuance, alice, "701", "USD", "funding");

    assertThat(other.statusCode()).isEqualTo(422);
    assertProblem(other, "idempotency-key-reused");
    assertThat(body(other).get("code").asString()).isEqualTo("EXISTS_WITH_DIFFERENT_FIELDS");
    assertThat(balance(alice)).isEqualTo("700");
  }

  @Test
  void insufficientFundsIsRefusedAndLeavesBalancesUnchanged() throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID bob = openAccount("USD", "customer", WALLET);
    postTransfer(Ids.newId(), issuance, alice, "1000", "USD", "funding");

    UUID exact = Ids.newId();
    UUID tooMuch = Ids.newId();
    var refused = postTransfer(tooMuch, alice, bob, "1001", "USD", "too much");
    assertThat(refused.statusCode()).isEqualTo(422);
    assertProblem(refused, "insufficient-funds");
    assertThat(body(refused).get("code").asString()).isEqualTo("INSUFFICIENT_FUNDS");
    assertThat(balance(alice)).isEqualTo("1000");
    assertThat(balance(bob)).isEqualTo("0");
    assertThat(transferExists(tooMuch)).isFalse();

    assertThat(postTransfer(exact, alice, bob, "1000", "USD", "all of it").statusCode())
        .isEqualTo(201);
    assertThat(balance(alice)).isEqualTo("0");
    assertThat(balance(bob)).isEqualTo("1000");
  }

  @Test
  void refusalsHaveAStableProblemTypeAndWriteNothing() throws Exception {
    UUID usdIssuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID btcWallet = openAccount("BTC", "customer", WALLET);

    UUID mismatch = Ids.newId();
    var wrongAccountAsset = postTransfer(mismatch, usdIssuance, btcWallet, "5", "USD", "x");
    assertThat(wrongAccountAsset.statusCode()).isEqualTo(422);
    assertProblem(wrongAccountAsset, "asset-mismatch");
    var wrongTransferAsset = postTransfer(Ids.newId(), usdIssuance, alice, "5", "BTC", "x");
    assertProblem(wrongTransferAsset, "asset-mismatch");

    var missingAccount = postTransfer(Ids.newId(), usdIssuance, Ids.newId(), "5", "USD", "x");
    assertThat(missingAccount.statusCode()).isEqualTo(422);
    assertProblem(missingAccount, "account-not-found");

    var same = postTransfer(Ids.newId(), alice, alice, "5", "USD", "x");
    assertThat(same.statusCode()).isEqualTo(422);
    assertProblem(same, "same-account");

    var zero = postTransfer(Ids.newId(), usdIssuance, alice, "0", "USD", "x");
    assertThat(zero.statusCode()).isEqualTo(422);
    assertProblem(zero, "invalid-amount");

    assertThat(transferExists(mismatch)).isFalse();
    assertThat(balance(alice)).isEqualTo("0");
    assertThat(balance(btcWallet)).isEqualTo("0");
    assertThat(balance(usdIssuance)).isEqualTo("0");
  }

  @Test
  void badInputIsAProblemNeverA500AndWritesNothing() throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    long transfersBefore = count("ledger_transfer");
    long accountsBefore = count("ledger_account");

    Map<String, Integer> badTransfers = new HashMap<>();
    String ok = "\"debitAccountId\":\"" + issuance + "\",\"creditAccountId\":\"" + alice + "\"";
    String id = "\"id\":\"" + Ids.newId() + "\",";
    badTransfers.put("{" + id + ok + ",\"asset\":\"USD\"}", 400); // no amount
    badTransfers.put("{" + id + ok + ",\"amount\":\"-5\",\"asset\":\"USD\"}", 422);
    badTransfers.put("{" + id + ok + ",\"amount\":\"12.50\",\"asset\":\"USD\"}", 400);
    badTransfers.put("{" + id + ok + ",\"amount\":\"abc\",\"asset\":\"USD\"}", 400);
    badTransfers.put("{" + id + ok + ",\"amount\":\"1e3\",\"asset\":\"USD\"}", 400);
    badTransfers.put(
        "{" + id + ok + ",\"amount\":\"" + "9".repeat(39) + "\",\"asset\":\"USD\"}", 422);
    badTransfers.put("{" + id + ok + ",\"amount\":\"5\",\"asset\":\"XYZ\"}", 422);
    badTransfers.put("{" + id + ok + ",\"amount\":\"5\"}", 400); // no asset
    badTransfers.put("{" + ok + ",\"amount\":\"5\",\"asset\":\"USD\"}", 400); // no id
    badTransfers.put("{\"id\":\"not-a-uuid\"," + ok + ",\"amount\":\"5\",\"asset\":\"USD\"}", 400);
    badTransfers.put("{" + id + ok + ",\"amount\":\"5\",\"asset\":\"USD\"", 400); // cut short
    badTransfers.put("", 400);
    badTransfers.put(
        "{"
            + id
            + ok
            + ",\"amount\":\"5\",\"asset\":\"USD\",\"reference\":\""
            + "r".repeat(257)
            + "\"}",
        400);
    for (var bad : badTransfers.entrySet()) {
      var response = post("/v1/ledger/transfers", bad.getKey());
      assertThat(response.statusCode()).as(bad.getKey()).isEqualTo(bad.getValue());
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .as(bad.getKey())
          .startsWith("application/problem+json");
    }
    assertThat(
            body(post(
                    "/v1/ledger/transfers", "{" + id + ok + ",\"amount\":\"5\",\"asset\":\"XYZ\"}"))
                .get("type")
                .asString())
        .endsWith("/unknown-asset");

    Map<String, Integer> badAccounts = new HashMap<>();
    badAccounts.put("{\"asset\":\"XYZ\",\"code\":\"customer\"}", 422);
    badAccounts.put("{\"asset\":\"USD\"}", 400); // no code
    badAccounts.put("{\"asset\":\"USD\",\"code\":\"" + "c".repeat(65) + "\"}", 400);
    badAccounts.put(
        "{\"asset\":\"USD\",\"code\":\"c\",\"ownerRef\":\"" + "o".repeat(129) + "\"}", 400);
    badAccounts.put("{\"asset\":\"USD\",\"code\":\"c\",\"flags\":[\"NO_SUCH_FLAG\"]}", 400);
    badAccounts.put("{\"code\":\"c\"}", 400); // no asset
    badAccounts.put("[1,2]", 400);
    for (var bad : badAccounts.entrySet()) {
      var response = post("/v1/ledger/accounts", bad.getKey());
      assertThat(response.statusCode()).as(bad.getKey()).isEqualTo(bad.getValue());
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/problem+json");
    }
    assertThat(get("/v1/ledger/accounts/not-a-uuid").statusCode()).isEqualTo(400);
    assertThat(get("/v1/ledger/accounts/" + Ids.newId()).statusCode()).isEqualTo(404);

    assertThat(count("ledger_transfer")).isEqualTo(transfersBefore);
    assertThat(count("ledger_account")).isEqualTo(accountsBefore);
    assertThat(balance(alice)).isEqualTo("0");
  }

  @Test
  void openingAnAccountIsIdempotentById() throws Exception {
    UUID id = Ids.newId();
    String body =
        "{\"id\":\""
            + id
            + "\",\"asset\":\"usd\",\"code\":\"customer\",\"ownerRef\":\"alice\","
            + "\"flags\":"
            + WALLET
            + "}";
    var created = post("/v1/ledger/accounts", body);
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(body(created).get("asset").asString()).isEqualTo("USD");
    assertThat(post("/v1/ledger/accounts", body).statusCode()).isEqualTo(200);
    var other = post("/v1/ledger/accounts", body.replace("alice", "mallory"));
    assertThat(other.statusCode()).isEqualTo(409);
    assertThat(body(get("/v1/ledger/accounts/" + id)).get("ownerRef").asString())
        .isEqualTo("alice");

    var generated = post("/v1/ledger/accounts", "{\"asset\":\"ETH\",\"code\":\"treasury\"}");
    assertThat(generated.statusCode()).isEqualTo(201);
    assertThat(UUID.fromString(body(generated).get("id").asString()).version()).isEqualTo(7);
  }

  @Test
  void theDatabaseRefusesToChangeOrRemovePostedEntriesAndTransfers() throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID id = Ids.newId();
    postTransfer(id, issuance, alice, "100", "USD", "funding");

    assertThatThrownBy(
            () ->
                jdbc.sql("update ledger_entry set amount = 1 where transfer_id = ?")
                    .param(id)
                    .update())
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("append-only");
    assertThatThrownBy(
            () -> jdbc.sql("delete from ledger_entry where transfer_id = ?").param(id).update())
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("append-only");
    assertThatThrownBy(
            () -> jdbc.sql("update ledger_transfer set amount = 1 where id = ?").param(id).update())
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> jdbc.sql("truncate ledger_entry").update())
        .isInstanceOf(DataAccessException.class);
    assertThatThrownBy(
            () ->
                jdbc.sql("update ledger_account set credits_posted = 0 where id = ?")
                    .param(alice)
                    .update())
        .isInstanceOf(DataAccessException.class);
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        "insert into ledger_transfer (id, debit_account_id, credit_account_id,"
                            + " amount, asset) values (?, ?, ?, 5, 'USD')")
                    .params(Ids.newId(), issuance, alice)
                    .update())
        .as("a transfer without its id row (V8) and entries is refused")
        .isInstanceOf(DataAccessException.class);
    assertThat(entryCount(id)).isEqualTo(2);
    assertThat(balance(alice)).isEqualTo("100");
  }

  // --- Property: a seeded random loop -------------------------------------------------------

  @Test
  void randomTransfersKeepDebitsEqualToCreditsAndWalletsNonNegative() {
    long seed = Long.getLong("ledger.seed", System.nanoTime());
    System.out.println(
        "LedgerIT random loop seed=" + seed + " (rerun with -Dledger.seed=" + seed + ")");
    try {
      randomLoop(new Random(seed), 400);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("random loop failed with seed=" + seed + ": " + e.getMessage(), e);
    }
  }

  private record ModelAccount(
      UUID id, Asset asset, EnumSet<AccountFlag> flags, BigInteger[] posted) {}

  private void randomLoop(Random random, int transfersCount) {
    List<ModelAccount> model = new ArrayList<>();
    for (Asset asset : List.of(Asset.USD, Asset.BTC)) {
      model.add(open(asset, EnumSet.noneOf(AccountFlag.class)));
      for (int i = 0; i < 4; i++) {
        model.add(open(asset, EnumSet.of(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS)));
      }
      model.add(open(asset, EnumSet.of(AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS)));
    }
    int perAsset = model.size() / 2;
    Map<UUID, TransferCommand> posted = new HashMap<>();
    List<UUID> postedIds = new ArrayList<>();
    Map<TransferResult, Integer> seen = new HashMap<>();
    for (int n = 0; n < transfersCount; n++) {
      TransferCommand command;
      if (!postedIds.isEmpty() && random.nextInt(20) == 0) {
        TransferCommand earlier = posted.get(postedIds.get(random.nextInt(postedIds.size())));
        command =
            random.nextBoolean()
                ? earlier
                : new TransferCommand(
                    earlier.id(),
                    earlier.debitAccountId(),
                    earlier.creditAccountId(),
                    earlier.amount().add(BigInteger.ONE),
                    earlier.asset(),
                    earlier.reference());
      } else {
        // Mostly same-asset pairs, with the issuance account funding often enough that wallets
        // both spend and run dry; the rest are cross-asset on purpose.
        ModelAccount debit =
            random.nextInt(4) == 0
                ? model.get(random.nextBoolean() ? 0 : perAsset)
                : model.get(random.nextInt(model.size()));
        ModelAccount credit =
            random.nextInt(10) == 0
                ? model.get(random.nextInt(model.size()))
                : sameAsset(model, debit, random);
        UUID debitId = random.nextInt(50) == 0 ? UUID.randomUUID() : debit.id();
        long amount = random.nextInt(30) == 0 ? 0 : 1 + random.nextInt(5000);
        String asset = random.nextInt(25) == 0 ? "ETH" : debit.asset().code();
        command =
            new TransferCommand(
                Ids.newId(), debitId, credit.id(), BigInteger.valueOf(amount), asset, "r" + n);
      }
      TransferResult expected = expect(model, posted, command);
      TransferResult actual = transfers.post(command).result();
      assertThat(actual).as("transfer %d: %s", n, command).isEqualTo(expected);
      seen.merge(actual, 1, Integer::sum);
      if (expected == TransferResult.OK) {
        posted.put(command.id(), command);
        postedIds.add(command.id());
        find(model, command.debitAccountId()).posted()[0] =
            find(model, command.debitAccountId()).posted()[0].add(command.amount());
        find(model, command.creditAccountId()).posted()[1] =
            find(model, command.creditAccountId()).posted()[1].add(command.amount());
      }
    }
    System.out.println("LedgerIT random loop results: " + seen);
    // Refusals that are rarer by construction (EXCEEDS_DEBITS) are covered by PostingRulesTests;
    // requiring them here would make the loop flaky for some seeds.
    assertThat(seen).containsKeys(TransferResult.OK, TransferResult.INSUFFICIENT_FUNDS);

    for (ModelAccount m : model) {
      var stored = accounts.find(m.id()).orElseThrow();
      assertThat(stored.debitsPosted()).as("debits of %s", m.id()).isEqualTo(m.posted()[0]);
      assertThat(stored.creditsPosted()).as("credits of %s", m.id()).isEqualTo(m.posted()[1]);
      if (m.flags().contains(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS)) {
        assertThat(stored.balance().signum()).as("wallet %s", m.id()).isGreaterThanOrEqualTo(0);
      }
      if (m.flags().contains(AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS)) {
        assertThat(stored.balance().signum()).as("account %s", m.id()).isLessThanOrEqualTo(0);
      }
    }
    assertLedgerBalances();
  }

  private static ModelAccount sameAsset(List<ModelAccount> model, ModelAccount of, Random random) {
    List<ModelAccount> same = model.stream().filter(m -> m.asset().equals(of.asset())).toList();
    return same.get(random.nextInt(same.size()));
  }

  private ModelAccount open(Asset asset, EnumSet<AccountFlag> flags) {
    var opened = accounts.open(Ids.newId(), asset, "random", null, flags);
    return new ModelAccount(
        opened.account().id(), asset, flags, new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO});
  }

  private static @Nullable ModelAccount findOrNull(List<ModelAccount> model, UUID id) {
    return model.stream().filter(m -> m.id().equals(id)).findFirst().orElse(null);
  }

  private static ModelAccount find(List<ModelAccount> model, UUID id) {
    ModelAccount m = findOrNull(model, id);
    if (m == null) {
      throw new AssertionError("no model account " + id);
    }
    return m;
  }

  /** The reference model of the ledger's rules, written independently of PostingRules. */
  private static TransferResult expect(
      List<ModelAccount> model, Map<UUID, TransferCommand> posted, TransferCommand c) {
    TransferCommand earlier = posted.get(c.id());
    if (earlier != null) {
      return earlier.equals(c)
          ? TransferResult.EXISTS
          : TransferResult.EXISTS_WITH_DIFFERENT_FIELDS;
    }
    if (c.amount().signum() <= 0) {
      return TransferResult.INVALID_AMOUNT;
    }
    if (c.debitAccountId().equals(c.creditAccountId())) {
      return TransferResult.SAME_ACCOUNT;
    }
    ModelAccount debit = findOrNull(model, c.debitAccountId());
    ModelAccount credit = findOrNull(model, c.creditAccountId());
    if (debit == null || credit == null) {
      return TransferResult.ACCOUNT_NOT_FOUND;
    }
    if (!debit.asset().code().equals(c.asset()) || !credit.asset().code().equals(c.asset())) {
      return TransferResult.ASSET_MISMATCH;
    }
    if (debit.flags().contains(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS)
        && debit.posted()[0].add(c.amount()).compareTo(debit.posted()[1]) > 0) {
      return TransferResult.INSUFFICIENT_FUNDS;
    }
    if (credit.flags().contains(AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS)
        && credit.posted()[1].add(c.amount()).compareTo(credit.posted()[0]) > 0) {
      return TransferResult.EXCEEDS_DEBITS;
    }
    return TransferResult.OK;
  }

  /** Per asset, all debits equal all credits, and every account's totals are its entries' sums. */
  private void assertLedgerBalances() {
    List<Map<String, Object>> perAsset =
        jdbc.sql(
                "select asset, sum(debits_posted) as d, sum(credits_posted) as c from ledger_account"
                    + " group by asset")
            .query()
            .listOfRows();
    for (var row : perAsset) {
      assertThat(row.get("d"))
          .as("debits = credits for %s", row.get("asset"))
          .isEqualTo(row.get("c"));
    }
    long mismatched =
        jdbc.sql(
                """
                select count(*) from ledger_account a
                where a.debits_posted <> coalesce((select sum(amount) from ledger_entry e
                        where e.account_id = a.id and e.direction = 'D'), 0)
                   or a.credits_posted <> coalesce((select sum(amount) from ledger_entry e
                        where e.account_id = a.id and e.direction = 'C'), 0)""")
            .query(Long.class)
            .single();
    assertThat(mismatched).as("accounts whose totals differ from their entries").isZero();
  }

  @Test
  void concurrentTransfersBothWaysNeitherDeadlockNorLoseMoney() throws Exception {
    var issuance =
        accounts.open(Ids.newId(), Asset.USD, "issuance", null, EnumSet.noneOf(AccountFlag.class));
    var a =
        accounts.open(
            Ids.newId(),
            Asset.USD,
            "customer",
            null,
            EnumSet.of(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS));
    var b =
        accounts.open(
            Ids.newId(),
            Asset.USD,
            "customer",
            null,
            EnumSet.of(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS));
    UUID ia = issuance.account().id();
    UUID aa = a.account().id();
    UUID bb = b.account().id();
    transfers.post(new TransferCommand(Ids.newId(), ia, aa, BigInteger.valueOf(1000), "USD", "f"));
    transfers.post(new TransferCommand(Ids.newId(), ia, bb, BigInteger.valueOf(1000), "USD", "f"));

    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<TransferResult>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        boolean aToB = i % 2 == 0;
        Callable<TransferResult> task =
            () ->
                transfers
                    .post(
                        new TransferCommand(
                            Ids.newId(),
                            aToB ? aa : bb,
                            aToB ? bb : aa,
                            BigInteger.valueOf(37),
                            "USD",
                            "ping-pong"))
                    .result();
        results.add(pool.submit(task));
      }
      for (var r : results) {
        assertThat(r.get(60, TimeUnit.SECONDS))
            .isIn(TransferResult.OK, TransferResult.INSUFFICIENT_FUNDS);
      }
    } finally {
      pool.shutdownNow();
    }
    var afterA = accounts.find(aa).orElseThrow();
    var afterB = accounts.find(bb).orElseThrow();
    assertThat(afterA.balance().add(afterB.balance())).isEqualTo(BigInteger.valueOf(2000));
    assertThat(afterA.balance().signum()).isGreaterThanOrEqualTo(0);
    assertThat(afterB.balance().signum()).isGreaterThanOrEqualTo(0);
    assertLedgerBalances();
  }

  // --- Kafka --------------------------------------------------------------------------------

  @Test
  void aTransferRequestedTwiceOnKafkaIsPostedOnceAndAnsweredWithTransferPosted() throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID transferId = Ids.newId();
    var command =
        new TransferRequested(transferId, issuance, alice, "4200", "USD", "kafka funding");
    CloudEvent event =
        envelope.wrap(
            Topics.typeOf(Topics.LEDGER_TRANSFER_REQUESTED), transferId.toString(), command);
    byte[] bytes = Envelope.serialize(event);

    kafka
        .send(Topics.LEDGER_TRANSFER_REQUESTED, transferId.toString(), bytes)
        .get(10, TimeUnit.SECONDS);
    kafka
        .send(Topics.LEDGER_TRANSFER_REQUESTED, transferId.toString(), bytes)
        .get(10, TimeUnit.SECONDS);
    // The same command again under a new event id (a sender's retry) is a replay: the ledger
    // answers it again, without posting again. Sent after the duplicate on the same partition,
    // its answer also shows that the duplicate was consumed before it.
    CloudEvent retry =
        envelope.wrap(
            Topics.typeOf(Topics.LEDGER_TRANSFER_REQUESTED), transferId.toString(), command);
    kafka
        .send(Topics.LEDGER_TRANSFER_REQUESTED, transferId.toString(), Envelope.serialize(retry))
        .get(10, TimeUnit.SECONDS);

    List<CloudEvent> answers = awaitEvents(Topics.LEDGER_TRANSFER_POSTED, transferId, 2);
    TransferPosted postedEvent = envelope.data(answers.get(0), TransferPosted.class);
    assertThat(postedEvent.transferId()).isEqualTo(transferId);
    assertThat(postedEvent.amount()).isEqualTo("4200");
    assertThat(postedEvent.creditAccountId()).isEqualTo(alice);
    assertThat(balance(alice)).isEqualTo("4200");
    assertThat(entryCount(transferId)).isEqualTo(2);
    assertThat(
            jdbc.sql("select count(*) from inbox_event where event_id = ?")
                .param(Envelope.id(event))
                .query(Long.class)
                .single())
        .isEqualTo(1);
    Thread.sleep(500); // a third answer would mean the duplicate event was applied
    assertThat(readEvents(Topics.LEDGER_TRANSFER_POSTED, transferId)).hasSize(2);
  }

  @Test
  void anAccountOpenRequestedTwiceOnKafkaOpensOneAccountUnderTheSendersId() throws Exception {
    UUID walletId = Ids.newId();
    var command =
        new AccountOpenRequested(
            walletId,
            "USD",
            "wallet",
            "customer:" + walletId,
            List.of("DEBITS_MUST_NOT_EXCEED_CREDITS"));
    CloudEvent event =
        envelope.wrap(
            Topics.typeOf(Topics.LEDGER_ACCOUNT_OPEN_REQUESTED), walletId.toString(), command);
    byte[] bytes = Envelope.serialize(event);
    kafka
        .send(Topics.LEDGER_ACCOUNT_OPEN_REQUESTED, walletId.toString(), bytes)
        .get(10, TimeUnit.SECONDS);
    kafka // redelivered: the inbox drops it
        .send(Topics.LEDGER_ACCOUNT_OPEN_REQUESTED, walletId.toString(), bytes)
        .get(10, TimeUnit.SECONDS);
    // The sender's retry under a new event id opens nothing either, and is answered again.
    kafka
        .send(
            Topics.LEDGER_ACCOUNT_OPEN_REQUESTED,
            walletId.toString(),
            Envelope.serialize(
                envelope.wrap(
                    Topics.typeOf(Topics.LEDGER_ACCOUNT_OPEN_REQUESTED),
                    walletId.toString(),
                    command)))
        .get(10, TimeUnit.SECONDS);

    List<CloudEvent> answers = awaitEvents(Topics.LEDGER_ACCOUNT_OPENED, walletId, 2);
    AccountOpened opened = envelope.data(answers.get(0), AccountOpened.class);
    assertThat(opened.accountId()).isEqualTo(walletId);
    assertThat(opened.asset()).isEqualTo("USD");
    assertThat(opened.ownerRef()).isEqualTo("customer:" + walletId);
    JsonNode account = body(get("/v1/ledger/accounts/" + walletId));
    assertThat(account.get("balance").asString()).isEqualTo("0");
    assertThat(account.get("flags").get(0).asString()).isEqualTo("DEBITS_MUST_NOT_EXCEED_CREDITS");
    assertThat(
            jdbc.sql("select count(*) from ledger_account where id = ?")
                .param(walletId)
                .query(Long.class)
                .single())
        .isEqualTo(1);
    Thread.sleep(500); // a third answer would mean the redelivered event was applied
    assertThat(readEvents(Topics.LEDGER_ACCOUNT_OPENED, walletId)).hasSize(2);

    // A command the ledger cannot apply is answered with the reason, and opens nothing.
    UUID doge = Ids.newId();
    kafka
        .send(
            Topics.LEDGER_ACCOUNT_OPEN_REQUESTED,
            doge.toString(),
            Envelope.serialize(
                envelope.wrap(
                    Topics.typeOf(Topics.LEDGER_ACCOUNT_OPEN_REQUESTED),
                    doge.toString(),
                    new AccountOpenRequested(doge, "DOGE", "wallet", null, List.of()))))
        .get(10, TimeUnit.SECONDS);
    AccountOpenRejected rejected =
        envelope.data(
            awaitEvents(Topics.LEDGER_ACCOUNT_OPEN_REJECTED, doge, 1).get(0),
            AccountOpenRejected.class);
    assertThat(rejected.reason()).isEqualTo("UNKNOWN_ASSET");
    assertThat(get("/v1/ledger/accounts/" + doge).statusCode()).isEqualTo(404);
  }

  @Test
  void importedHistoryOnKafkaKeepsItsTimeAndOrderAndIsAppliedOnce() throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID older = Ids.newId();
    UUID newer = Ids.newId();
    UUID outOfOrder = Ids.newId();
    Instant jan = Instant.parse("2020-01-15T10:00:00.123456Z");
    Instant feb = Instant.parse("2020-02-15T10:00:00Z");
    String key = "legacy-migration:" + alice;
    var first = new TransferRequested(older, issuance, alice, "500", "USD", "L1", jan, "LEG-1");
    send(key, first);
    send(key, first); // redelivered by a sender's retry: a replay
    send(key, new TransferRequested(newer, issuance, alice, "200", "USD", "L2", feb, "LEG-2"));
    send(key, new TransferRequested(outOfOrder, alice, issuance, "50", "USD", "L3", jan, "LEG-3"));

    CloudEvent refused = awaitEvents(Topics.LEDGER_TRANSFER_REJECTED, outOfOrder, 1).get(0);
    assertThat(envelope.data(refused, TransferRejected.class).code())
        .isEqualTo("IMPORTED_OUT_OF_ORDER");
    assertThat(awaitEvents(Topics.LEDGER_TRANSFER_POSTED, older, 2)).hasSize(2);
    JsonNode stored = body(get("/v1/ledger/transfers/" + older));
    assertThat(Instant.parse(stored.get("createdAt").asString())).isEqualTo(jan);
    assertThat(stored.get("legacyRef").asString()).isEqualTo("LEG-1");
    assertThat(entryCount(older)).isEqualTo(2);
    assertThat(transferExists(outOfOrder)).isFalse();
    assertThat(balance(alice)).isEqualTo("700");
  }

  @Test
  void aReversalRequestedOnKafkaIsAppliedOnceAndBoundedByTheOriginal() throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID original = Ids.newId();
    assertThat(postTransfer(original, issuance, alice, "1000", "USD", "funding").statusCode())
        .isEqualTo(201);
    UUID partial = Ids.newId();
    UUID tooMuch = Ids.newId();
    var reverse = new TransferReverseRequested(partial, original, "300", "chargeback");
    sendReverse(reverse);
    sendReverse(reverse);
    sendReverse(new TransferReverseRequested(tooMuch, original, "701", "chargeback 2"));

    CloudEvent refused = awaitEvents(Topics.LEDGER_TRANSFER_REJECTED, tooMuch, 1).get(0);
    assertThat(envelope.data(refused, TransferRejected.class).code())
        .isEqualTo("EXCEEDS_REVERSIBLE_AMOUNT");
    List<CloudEvent> posted = awaitEvents(Topics.LEDGER_TRANSFER_POSTED, partial, 2);
    TransferPosted answer = envelope.data(posted.get(0), TransferPosted.class);
    assertThat(answer.debitAccountId()).isEqualTo(alice);
    assertThat(answer.amount()).isEqualTo("300");
    JsonNode stored = body(get("/v1/ledger/transfers/" + partial));
    assertThat(stored.get("reversesId").asString()).isEqualTo(original.toString());
    assertThat(balance(alice)).isEqualTo("700");
    assertThat(transferExists(tooMuch)).isFalse();
    // The rest is still reversible, all of it (amount null), once.
    UUID rest = Ids.newId();
    sendReverse(new TransferReverseRequested(rest, original, null, "chargeback 3"));
    awaitEvents(Topics.LEDGER_TRANSFER_POSTED, rest, 1);
    assertThat(balance(alice)).isEqualTo("0");
  }

  private void sendReverse(TransferReverseRequested command) throws Exception {
    String topic = Topics.LEDGER_TRANSFER_REVERSE_REQUESTED;
    kafka
        .send(
            topic,
            command.reversesId().toString(),
            Envelope.serialize(
                envelope.wrap(Topics.typeOf(topic), command.transferId().toString(), command)))
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void aTransferRequestedWithoutFundsIsAnsweredWithTransferRejected() throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID bob = openAccount("USD", "customer", WALLET);
    postTransfer(Ids.newId(), issuance, alice, "100", "USD", "funding");
    UUID transferId = Ids.newId();
    var command = new TransferRequested(transferId, alice, bob, "101", "USD", "payment 7");
    kafka
        .send(
            Topics.LEDGER_TRANSFER_REQUESTED,
            transferId.toString(),
            Envelope.serialize(
                envelope.wrap(
                    Topics.typeOf(Topics.LEDGER_TRANSFER_REQUESTED),
                    transferId.toString(),
                    command)))
        .get(10, TimeUnit.SECONDS);

    CloudEvent answer = awaitEvents(Topics.LEDGER_TRANSFER_REJECTED, transferId, 1).get(0);
    TransferRejected rejected = envelope.data(answer, TransferRejected.class);
    assertThat(rejected.code()).isEqualTo("INSUFFICIENT_FUNDS");
    assertThat(rejected.reference()).isEqualTo("payment 7");
    assertThat(rejected.transferId()).isEqualTo(transferId);
    assertThat(balance(alice)).isEqualTo("100");
    assertThat(balance(bob)).isEqualTo("0");
    assertThat(transferExists(transferId)).isFalse();
  }

  @Test
  void aBatchOfTransfersDeliveredTwiceIsPostedOnceAndAnsweredOnceWithEachTransfersOwnResult()
      throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID bob = openAccount("USD", "customer", WALLET);
    UUID funding = Ids.newId();
    UUID tooMuch = Ids.newId();
    UUID badAmount = Ids.newId();
    UUID payment = Ids.newId();
    var batch =
        new TransfersRequested(
            List.of(
                new TransferRequested(funding, issuance, alice, "1000", "USD", "funding"),
                // Refused on its own: the transfers around it still post.
                new TransferRequested(tooMuch, alice, bob, "1001", "USD", "too much"),
                new TransferRequested(badAmount, alice, bob, "1.5", "USD", "bad amount"),
                // The same id again in the batch: posted once, answered POSTED again.
                new TransferRequested(funding, issuance, alice, "1000", "USD", "funding"),
                // In order after the funding: alice has the money by then.
                new TransferRequested(payment, alice, bob, "400", "USD", "payment")));
    UUID key = Ids.newId();
    byte[] bytes =
        Envelope.serialize(
            envelope.wrap(Topics.typeOf(Topics.LEDGER_TRANSFERS_REQUESTED), key.toString(), batch));
    kafka.send(Topics.LEDGER_TRANSFERS_REQUESTED, key.toString(), bytes).get(10, TimeUnit.SECONDS);
    // Redelivered (a crash before the offset commit, a relay resend): the inbox drops it.
    kafka.send(Topics.LEDGER_TRANSFERS_REQUESTED, key.toString(), bytes).get(10, TimeUnit.SECONDS);

    TransfersAnswered answered =
        envelope.data(
            awaitEvents(Topics.LEDGER_TRANSFERS_ANSWERED, key, 1).get(0), TransfersAnswered.class);
    assertThat(answered.answers())
        .extracting(TransfersAnswered.Answer::transferId, TransfersAnswered.Answer::result)
        .containsExactly(
            tuple(funding, "POSTED"),
            tuple(tooMuch, "INSUFFICIENT_FUNDS"),
            tuple(badAmount, "INVALID_AMOUNT"),
            tuple(funding, "POSTED"),
            tuple(payment, "POSTED"));
    assertThat(answered.answers().get(1).reference()).isEqualTo("too much");
    assertThat(balance(alice)).isEqualTo("600");
    assertThat(balance(bob)).isEqualTo("400");
    assertThat(transferExists(tooMuch)).isFalse();
    assertThat(entryCount(funding)).isEqualTo(2);
    Thread.sleep(500); // a second answer would mean the redelivered record was applied
    assertThat(readEvents(Topics.LEDGER_TRANSFERS_ANSWERED, key)).hasSize(1);
    assertLedgerBalances();
  }

  @Test
  void aBatchOfTransfersThatCannotBeReadIsParkedWithoutBlockingTheBatchesAfterIt()
      throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID key = Ids.newId();
    UUID noDebit = Ids.newId();
    UUID good = Ids.newId();
    // A transfer without a debit account cannot be answered: its whole record is parked, nothing
    // of it is posted.
    sendBatch(
        key,
        List.of(
            new TransferRequested(Ids.newId(), issuance, alice, "5", "USD", "fine alone"),
            new TransferRequested(noDebit, null, alice, "5", "USD", "no debit")));
    // Same key, so the same partition: only reached past the parked record.
    sendBatch(key, List.of(new TransferRequested(good, issuance, alice, "300", "USD", "after")));

    UUID after = awaitAnswer(key);
    assertThat(after).isEqualTo(good);
    assertThat(balance(alice)).isEqualTo("300");
    assertThat(transferExists(noDebit)).isFalse();
    assertThat(rawValues(Topics.LEDGER_TRANSFERS_REQUESTED + ".dlt", key.toString())).hasSize(1);
  }

  private void sendBatch(UUID key, List<TransferRequested> transfers) throws Exception {
    String topic = Topics.LEDGER_TRANSFERS_REQUESTED;
    kafka
        .send(
            topic,
            key.toString(),
            Envelope.serialize(
                envelope.wrap(
                    Topics.typeOf(topic), key.toString(), new TransfersRequested(transfers))))
        .get(10, TimeUnit.SECONDS);
  }

  /** The first transfer id of the one batched answer under {@code key}. */
  private UUID awaitAnswer(UUID key) throws InterruptedException {
    List<CloudEvent> answers = awaitEvents(Topics.LEDGER_TRANSFERS_ANSWERED, key, 1);
    assertThat(answers).hasSize(1);
    return envelope.data(answers.get(0), TransfersAnswered.class).answers().get(0).transferId();
  }

  @Test
  void aMalformedCommandIsRejectedOrParkedWithoutBlockingTheCommandsAfterIt() throws Exception {
    UUID issuance = openAccount("USD", "issuance", "[]");
    UUID alice = openAccount("USD", "customer", WALLET);
    UUID badAmount = Ids.newId();
    String key = badAmount.toString();
    send(key, new TransferRequested(badAmount, issuance, alice, "12.5", "USD", "bad amount"));
    // Not a CloudEvent at all: parked on the dead-letter topic, not retried for ever.
    kafka
        .send(
            Topics.LEDGER_TRANSFER_REQUESTED,
            key,
            "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .get(10, TimeUnit.SECONDS);
    UUID good = Ids.newId();
    // Same key, so the same partition: this one is only reached past the poison message.
    kafka
        .send(
            Topics.LEDGER_TRANSFER_REQUESTED,
            key,
            Envelope.serialize(
                envelope.wrap(
                    Topics.typeOf(Topics.LEDGER_TRANSFER_REQUESTED),
                    good.toString(),
                    new TransferRequested(good, issuance, alice, "300", "USD", "after poison"))))
        .get(10, TimeUnit.SECONDS);

    TransferRejected rejected =
        envelope.data(
            awaitEvents(Topics.LEDGER_TRANSFER_REJECTED, badAmount, 1).get(0),
            TransferRejected.class);
    assertThat(rejected.code()).isEqualTo("INVALID_AMOUNT");
    awaitEvents(Topics.LEDGER_TRANSFER_POSTED, good, 1);
    assertThat(balance(alice)).isEqualTo("300");
    assertThat(rawValues(Topics.LEDGER_TRANSFER_REQUESTED + ".dlt", key)).contains("not json");
  }

  @Test
  void thousandsOfCommandsInBatchesAreEachAppliedOnceAndAnsweredOnce() throws Exception {
    // What a migration sends: per wallet, its imported history in order under one key, fast
    // enough that the ledger takes it a poll (up to 2,000 records) at a time.
    int walletsCount = 12;
    int perWallet = 250;
    // Each wallet is funded from its own account: imports are ordered per account, and an
    // account shared by several keys (partitions) would see them interleaved.
    UUID issuance = openAccount("USD", "issuance", "[]");
    List<UUID> wallets = new ArrayList<>();
    List<UUID> sources = new ArrayList<>();
    for (int w = 0; w < walletsCount; w++) {
      wallets.add(openAccount("USD", "customer", WALLET));
      sources.add(openAccount("USD", "issuance", "[]"));
    }
    UUID poor = openAccount("USD", "customer", WALLET);
    Instant start = Instant.parse("2019-03-01T00:00:00Z");
    Map<UUID, BigInteger> expected = new HashMap<>();
    Map<UUID, Integer> postedAnswers = new HashMap<>();
    List<Future<?>> sent = new ArrayList<>();
    List<byte[]> redeliverLater = new ArrayList<>();
    UUID refused = Ids.newId();
    UUID parked = Ids.newId();
    for (int i = 0; i < perWallet; i++) {
      for (int w = 0; w < walletsCount; w++) {
        UUID wallet = wallets.get(w);
        UUID id = Ids.newId();
        BigInteger amount = BigInteger.valueOf((i * 31L + w) % 997 + 1);
        var command =
            new TransferRequested(
                id,
                sources.get(w),
                wallet,
                amount.toString(),
                "USD",
                "import " + i,
                start.plusSeconds(i),
                "LEG-" + w + "-" + i);
        String key = "legacy-migration:" + wallet;
        byte[] bytes = Envelope.serialize(event(id, command));
        sent.add(kafka.send(Topics.LEDGER_TRANSFER_REQUESTED, key, bytes));
        expected.merge(wallet, amount, BigInteger::add);
        postedAnswers.put(id, 1);
        if (i % 10 == 0) { // the relay sent it twice: the inbox drops the copy
          sent.add(kafka.send(Topics.LEDGER_TRANSFER_REQUESTED, key, bytes));
        }
        if (i % 25 == 0) { // the sender retried under a new event id: answered again
          sent.add(
              kafka.send(
                  Topics.LEDGER_TRANSFER_REQUESTED, key, Envelope.serialize(event(id, command))));
          postedAnswers.put(id, 2);
        }
        if (i % 50 == 0) {
          redeliverLater.add(bytes);
        }
      }
      if (i == perWallet / 2) {
        // Refused in the middle of the batch: its neighbours still post.
        sent.add(
            kafka.send(
                Topics.LEDGER_TRANSFER_REQUESTED,
                refused.toString(),
                Envelope.serialize(
                    event(
                        refused,
                        new TransferRequested(
                            refused, poor, wallets.get(0), "1", "USD", "no funds")))));
        // Malformed twice over: not an event at all, and an import without its legacy ref.
        sent.add(
            kafka.send(
                Topics.LEDGER_TRANSFER_REQUESTED,
                parked.toString(),
                "not json either".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        sent.add(
            kafka.send(
                Topics.LEDGER_TRANSFER_REQUESTED,
                parked.toString(),
                Envelope.serialize(
                    event(
                        parked,
                        new TransferRequested(
                            parked, issuance, poor, "5", "USD", "half an import", start, null)))));
      }
    }
    for (Future<?> f : sent) {
      f.get(30, TimeUnit.SECONDS);
    }

    awaitAnswers(Topics.LEDGER_TRANSFER_POSTED, postedAnswers);
    for (UUID wallet : wallets) {
      assertThat(balance(wallet))
          .as("wallet %s", wallet)
          .isEqualTo(expected.get(wallet).toString());
    }
    TransferRejected rejected =
        envelope.data(
            awaitEvents(Topics.LEDGER_TRANSFER_REJECTED, refused, 1).get(0),
            TransferRejected.class);
    assertThat(rejected.code()).isEqualTo("INSUFFICIENT_FUNDS");
    assertThat(balance(poor)).isEqualTo("0");
    assertThat(transferExists(parked)).isFalse();
    assertThat(rawValues(Topics.LEDGER_TRANSFER_REQUESTED + ".dlt", parked.toString()))
        .hasSize(2)
        .anyMatch(v -> v.equals("not json either"))
        .anyMatch(v -> v.contains("half an import"));
    assertThat(
            jdbc.sql("select count(*) from ledger_transfer where id = any(?)")
                .param(postedAnswers.keySet().toArray(UUID[]::new))
                .query(Long.class)
                .single())
        .isEqualTo(postedAnswers.size());
    // A batch was applied as such: far fewer ledger batches (chain links) than transfers.
    long links =
        jdbc.sql("select count(distinct batch_id) from ledger_transfer where id = any(?)")
            .param(postedAnswers.keySet().toArray(UUID[]::new))
            .query(Long.class)
            .single();
    assertThat(links).isLessThan(postedAnswers.size() / 10);

    // Redelivered once more after everything was applied (a consumer restarted before its offset
    // commit): nothing changes and nobody is answered again.
    for (byte[] bytes : redeliverLater) {
      kafka.send(Topics.LEDGER_TRANSFER_REQUESTED, "redelivered", bytes).get(10, TimeUnit.SECONDS);
    }
    UUID marker = Ids.newId();
    send(
        marker.toString(),
        new TransferRequested(marker, issuance, poor, "7", "USD", "after the redelivery"));
    awaitEvents(Topics.LEDGER_TRANSFER_POSTED, marker, 1);
    Thread.sleep(500);
    assertThat(countAnswers(Topics.LEDGER_TRANSFER_POSTED, postedAnswers.keySet()))
        .isEqualTo(postedAnswers);
    for (UUID wallet : wallets) {
      assertThat(balance(wallet)).isEqualTo(expected.get(wallet).toString());
    }
  }

  private CloudEvent event(UUID transferId, TransferRequested command) {
    return envelope.wrap(
        Topics.typeOf(Topics.LEDGER_TRANSFER_REQUESTED), transferId.toString(), command);
  }

  /** Waits until each transfer id has at least its expected count of answers on the topic. */
  private void awaitAnswers(String topic, Map<UUID, Integer> expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    Map<UUID, Integer> found = Map.of();
    while (System.nanoTime() < deadline) {
      found = countAnswers(topic, expected.keySet());
      if (found.equals(expected)) {
        return;
      }
      Thread.sleep(500);
    }
    int missing = 0;
    for (var e : expected.entrySet()) {
      if (!e.getValue().equals(found.get(e.getKey()))) {
        missing++;
      }
    }
    throw new AssertionError(
        missing + " of " + expected.size() + " transfers not answered as expected");
  }

  /** How many events the topic holds about each of {@code subjects}. */
  private Map<UUID, Integer> countAnswers(String topic, java.util.Set<UUID> subjects) {
    Map<UUID, Integer> counts = new HashMap<>();
    java.util.Set<String> wanted = new java.util.HashSet<>();
    subjects.forEach(id -> wanted.add(id.toString()));
    readTopic(
        topic,
        record -> {
          String subject = Envelope.deserialize(record.value()).getSubject();
          if (subject != null && wanted.contains(subject)) {
            counts.merge(UUID.fromString(subject), 1, Integer::sum);
          }
        });
    return counts;
  }

  /** The values of the records with {@code key} on a topic, as text. */
  private List<String> rawValues(String topic, String key) {
    List<String> values = new ArrayList<>();
    readTopic(
        topic,
        record -> {
          if (key.equals(record.key())) {
            values.add(new String(record.value(), java.nio.charset.StandardCharsets.UTF_8));
          }
        });
    return values;
  }

  /** Reads a topic from the beginning to its end as of now (at most 10 s). */
  private void readTopic(
      String topic,
      java.util.function.Consumer<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>>
          each) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            TestKafka.bootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false);
    try (var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
          && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(each);
      }
    }
  }

  private void send(String key, TransferRequested command) throws Exception {
    kafka
        .send(
            Topics.LEDGER_TRANSFER_REQUESTED,
            key,
            Envelope.serialize(
                envelope.wrap(
                    Topics.typeOf(Topics.LEDGER_TRANSFER_REQUESTED),
                    command.transferId().toString(),
                    command)))
        .get(10, TimeUnit.SECONDS);
  }

  private List<CloudEvent> awaitEvents(String topic, UUID subject, int atLeast)
      throws InterruptedException {
    long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
    List<CloudEvent> found = List.of();
    while (System.nanoTime() < deadline) {
      found = readEvents(topic, subject);
      if (found.size() >= atLeast) {
        return found;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "expected "
            + atLeast
            + " event(s) about "
            + subject
            + " on "
            + topic
            + ", saw "
            + found.size());
  }

  /** Every event about {@code subject} on the topic, read from the beginning. */
  private List<CloudEvent> readEvents(String topic, UUID subject) {
    List<CloudEvent> events = new ArrayList<>();
    readTopic(
        topic,
        record -> {
          CloudEvent e = Envelope.deserialize(record.value());
          if (subject.toString().equals(e.getSubject())) {
            events.add(e);
          }
        });
    return events;
  }

  // --- helpers ------------------------------------------------------------------------------

  private UUID openAccount(String asset, String code, String flags) throws Exception {
    var response =
        post(
            "/v1/ledger/accounts",
            "{\"asset\":\"" + asset + "\",\"code\":\"" + code + "\",\"flags\":" + flags + "}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return UUID.fromString(body(response).get("id").asString());
  }

  private HttpResponse<String> postTransfer(
      UUID id, UUID debit, UUID credit, String amount, String asset, String reference)
      throws Exception {
    return postTransfer(id, debit, credit, amount, asset, reference, null);
  }

  /** With {@code accept} as the Accept header (none when null). */
  private HttpResponse<String> postTransfer(
      UUID id,
      UUID debit,
      UUID credit,
      String amount,
      String asset,
      String reference,
      @Nullable String accept)
      throws Exception {
    return post(
        "/v1/ledger/transfers",
        json.writeValueAsString(
            Map.of(
                "id", id,
                "debitAccountId", debit,
                "creditAccountId", credit,
                "amount", amount,
                "asset", asset,
                "reference", reference)),
        accept);
  }

  private String balance(UUID account) throws Exception {
    var response = get("/v1/ledger/accounts/" + account);
    assertThat(response.statusCode()).isEqualTo(200);
    return body(response).get("balance").asString();
  }

  private boolean transferExists(UUID id) {
    return jdbc.sql("select count(*) from ledger_transfer where id = ?")
            .param(id)
            .query(Long.class)
            .single()
        > 0;
  }

  private long entryCount(UUID transferId) {
    return jdbc.sql("select count(*) from ledger_entry where transfer_id = ?")
        .param(transferId)
        .query(Long.class)
        .single();
  }

  private long count(String table) {
    return jdbc.sql("select count(*) from " + table).query(Long.class).single();
  }

  private void assertProblem(HttpResponse<String> response, String slug) {
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    assertThat(body(response).get("type").asString())
        .isEqualTo("https://tpwallet.io/problems/" + slug);
  }

  private JsonNode body(HttpResponse<String> response) {
    return json.readTree(response.body());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return post(path, body, null);
  }

  private HttpResponse<String> post(String path, String body, @Nullable String accept)
      throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (accept != null) {
      request.header("Accept", accept);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
