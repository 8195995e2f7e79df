package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.HoldPostRequested;
import io.tpwallet.common.event.HoldRequested;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferPending;
import io.tpwallet.common.event.TransferPosted;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.money.Asset;
import io.tpwallet.ledger.account.Account;
import io.tpwallet.ledger.account.AccountFlag;
import io.tpwallet.ledger.account.Accounts;
import io.tpwallet.ledger.transfer.Posting;
import io.tpwallet.ledger.transfer.ResolveCommand;
import io.tpwallet.ledger.transfer.TransferCommand;
import io.tpwallet.ledger.transfer.TransferResult;
import io.tpwallet.ledger.transfer.TransferService;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.KafkaProbe;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
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

/**
 * Holds (two-phase transfers): placed, posted in full or in part, voided, expired; exactly once.
 */
@org.springframework.context.annotation.Import(io.tpwallet.ledger.transfer.HoldExpiryProbe.class)
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    // The test drives expiry itself, so that it can run two expiries at once.
    properties = "tpw.ledger.expiry-interval=1h")
class TwoPhaseIT {

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "ledger2pc");
  }

  @LocalServerPort int port;
  @Autowired TransferService transfers;
  @Autowired Accounts accounts;
  @Autowired JdbcClient jdbc;
  @Autowired Envelope envelope;
  @Autowired io.tpwallet.ledger.transfer.HoldExpiryProbe expiry;

  @Test
  void aHoldIsCountedByTheLimitAndPostingPartOfItReleasesTheRest() throws Exception {
    UUID issuance = open(EnumSet.noneOf(AccountFlag.class));
    UUID alice = funded(issuance, 1000);
    UUID shop = open(EnumSet.of(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS));
    UUID holdId = Ids.newId();

    var hold =
        post(
            "/v1/ledger/transfers",
            "{\"id\":\"%s\",\"debitAccountId\":\"%s\",\"creditAccountId\":\"%s\",\"amount\":\"700\",\"asset\":\"USD\",\"pending\":true,\"timeoutSeconds\":600}"
                .formatted(holdId, alice, shop));
    assertThat(hold.statusCode()).as(hold.body()).isEqualTo(201);
    assertThat(body(hold).get("status").asString()).isEqualTo("PENDING");
    assertThat(body(hold).get("kind").asString()).isEqualTo("PENDING");
    Account held = account(alice);
    assertThat(held.balance()).isEqualTo(BigInteger.valueOf(1000));
    assertThat(held.debitsPending()).isEqualTo(BigInteger.valueOf(700));
    assertThat(body(get("/v1/ledger/accounts/" + alice)).get("debitsPending").asString())
        .isEqualTo("700");

    // What is held cannot be spent or held again: 301 is one more than is free.
    assertThat(transfers.post(single(alice, shop, 301)).result())
        .isEqualTo(TransferResult.INSUFFICIENT_FUNDS);
    assertThat(
            transfers
                .post(
                    TransferCommand.hold(
                        Ids.newId(), alice, shop, BigInteger.valueOf(301), "USD", "", 0))
                .result())
        .isEqualTo(TransferResult.INSUFFICIENT_FUNDS);
    assertThat(transfers.post(single(alice, shop, 300)).result()).isEqualTo(TransferResult.OK);

    // Posting more than held is refused and changes nothing.
    var tooMuch =
        post(
            "/v1/ledger/transfers/" + holdId + "/post",
            "{\"id\":\"%s\",\"amount\":\"701\"}".formatted(Ids.newId()));
    assertThat(tooMuch.statusCode()).isEqualTo(422);
    assertThat(body(tooMuch).get("code").asString()).isEqualTo("EXCEEDS_PENDING_TRANSFER_AMOUNT");
    assertThat(account(alice).debitsPending()).isEqualTo(BigInteger.valueOf(700));

    UUID postId = Ids.newId();
    String postBody =
        "{\"id\":\"%s\",\"amount\":\"450\",\"reference\":\"capture\"}".formatted(postId);
    var posted = post("/v1/ledger/transfers/" + holdId + "/post", postBody);
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
    assertThat(body(posted).get("amount").asString()).isEqualTo("450");
    assertThat(body(posted).get("pendingId").asString()).isEqualTo(holdId.toString());
    assertThat(post("/v1/ledger/transfers/" + holdId + "/post", postBody).statusCode())
        .as("the same post again is a replay")
        .isEqualTo(200);

    Account after = account(alice);
    assertThat(after.debitsPending()).isZero();
    assertThat(after.balance()).isEqualTo(BigInteger.valueOf(1000 - 300 - 450));
    assertThat(account(shop).balance()).isEqualTo(BigInteger.valueOf(750));
    assertThat(account(shop).creditsPending()).isZero();
    assertThat(body(get("/v1/ledger/transfers/" + holdId)).get("status").asString())
        .isEqualTo("POSTED");

    // Resolved once: a second post or a void is refused.
    assertThat(transfers.resolve(ResolveCommand.post(Ids.newId(), holdId, null, "")).result())
        .isEqualTo(TransferResult.PENDING_TRANSFER_ALREADY_POSTED);
    var voidAfterPost =
        post("/v1/ledger/transfers/" + holdId + "/void", "{\"id\":\"%s\"}".formatted(Ids.newId()));
    assertThat(voidAfterPost.statusCode()).isEqualTo(422);
    assertThat(body(voidAfterPost).get("code").asString())
        .isEqualTo("PENDING_TRANSFER_ALREADY_POSTED");
    assertInvariants();
  }

  @Test
  void aVoidReleasesTheWholeHoldAndIsFinal() {
    UUID issuance = open(EnumSet.noneOf(AccountFlag.class));
    UUID alice = funded(issuance, 500);
    UUID shop = open(EnumSet.noneOf(AccountFlag.class));
    UUID holdId = Ids.newId();
    assertThat(transfers.post(hold(holdId, alice, shop, 500, 0)).result())
        .isEqualTo(TransferResult.OK);
    assertThat(transfers.post(single(alice, shop, 1)).result())
        .isEqualTo(TransferResult.INSUFFICIENT_FUNDS);

    assertThat(transfers.resolve(ResolveCommand.voiding(Ids.newId(), holdId, "cancel")).result())
        .isEqualTo(TransferResult.OK);
    assertThat(account(alice).debitsPending()).isZero();
    assertThat(account(alice).balance()).isEqualTo(BigInteger.valueOf(500));
    assertThat(transfers.resolve(ResolveCommand.post(Ids.newId(), holdId, null, "")).result())
        .isEqualTo(TransferResult.PENDING_TRANSFER_ALREADY_VOIDED);
    assertThat(transfers.status(transfers.find(holdId).orElseThrow())).isEqualTo("VOIDED");

    // Naming something that is not an open hold.
    assertThat(transfers.resolve(ResolveCommand.post(Ids.newId(), Ids.newId(), null, "")).result())
        .isEqualTo(TransferResult.PENDING_TRANSFER_NOT_FOUND);
    UUID plain = Ids.newId();
    transfers.post(new TransferCommand(plain, alice, shop, BigInteger.ONE, "USD", ""));
    assertThat(transfers.resolve(ResolveCommand.voiding(Ids.newId(), plain, "")).result())
        .isEqualTo(TransferResult.PENDING_TRANSFER_NOT_PENDING);
    assertThat(
            transfers
                .resolve(ResolveCommand.post(Ids.newId(), holdId, BigInteger.ZERO, ""))
                .result())
        .isEqualTo(TransferResult.PENDING_TRANSFER_ALREADY_VOIDED);
    assertInvariants();
  }

  @Test
  void concurrentPostAndVoidOfOneHoldHaveExactlyOneWinner() throws Exception {
    UUID issuance = open(EnumSet.noneOf(AccountFlag.class));
    UUID alice = funded(issuance, 10_000);
    UUID shop = open(EnumSet.noneOf(AccountFlag.class));
    int holds = 20;
    List<UUID> holdIds = new ArrayList<>();
    for (int i = 0; i < holds; i++) {
      UUID id = Ids.newId();
      assertThat(transfers.post(hold(id, alice, shop, 100, 0)).result())
          .isEqualTo(TransferResult.OK);
      holdIds.add(id);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Posting>> posts = new ArrayList<>();
      List<Future<Posting>> voids = new ArrayList<>();
      for (UUID holdId : holdIds) {
        CountDownLatch start = new CountDownLatch(1);
        posts.add(
            pool.submit(
                () -> {
                  start.await();
                  return transfers.resolve(ResolveCommand.post(Ids.newId(), holdId, null, "p"));
                }));
        voids.add(
            pool.submit(
                () -> {
                  start.countDown();
                  return transfers.resolve(ResolveCommand.voiding(Ids.newId(), holdId, "v"));
                }));
      }
      int posted = 0;
      for (int i = 0; i < holds; i++) {
        TransferResult p = posts.get(i).get(30, TimeUnit.SECONDS).result();
        TransferResult v = voids.get(i).get(30, TimeUnit.SECONDS).result();
        assertThat(List.of(p, v))
            .as("hold %d", i)
            .containsExactlyInAnyOrder(
                TransferResult.OK,
                p == TransferResult.OK
                    ? TransferResult.PENDING_TRANSFER_ALREADY_POSTED
                    : TransferResult.PENDING_TRANSFER_ALREADY_VOIDED);
        posted += p == TransferResult.OK ? 1 : 0;
      }
      assertThat(account(alice).debitsPending()).isZero();
      assertThat(account(shop).balance()).isEqualTo(BigInteger.valueOf(100L * posted));
      assertThat(
              jdbc.sql("select count(*) from ledger_transfer where pending_id = any(?::uuid[])")
                  .param(holdIds.stream().map(UUID::toString).toArray(String[]::new))
                  .query(Long.class)
                  .single())
          .isEqualTo(holds);
    } finally {
      pool.shutdownNow();
    }
    assertInvariants();
  }

  @Test
  void aHoldPastItsTimeoutExpiresExactlyOnceAndCannotBePostedAfterwards() throws Exception {
    UUID issuance = open(EnumSet.noneOf(AccountFlag.class));
    UUID alice = funded(issuance, 300);
    UUID shop = open(EnumSet.noneOf(AccountFlag.class));
    UUID holdId = Ids.newId();
    UUID kept = Ids.newId();
    assertThat(transfers.post(hold(holdId, alice, shop, 200, 1)).result())
        .isEqualTo(TransferResult.OK);
    assertThat(transfers.post(hold(kept, alice, shop, 100, 3600)).result())
        .isEqualTo(TransferResult.OK);
    assertThat(expiry.run()).as("not due yet").isZero();
    Thread.sleep(1100);

    // Two expiry runs at once: one expiry transfer, written once.
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> a = pool.submit(expiry::run);
      Future<Integer> b = pool.submit(expiry::run);
      assertThat(a.get(30, TimeUnit.SECONDS) + b.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(expiry.run()).isZero();
    assertThat(
            jdbc.sql(
                    "select count(*) from ledger_transfer where pending_id = ? and kind = 'EXPIRE'")
                .param(holdId)
                .query(Long.class)
                .single())
        .isEqualTo(1);
    assertThat(transfers.status(transfers.find(holdId).orElseThrow())).isEqualTo("EXPIRED");
    assertThat(transfers.status(transfers.find(kept).orElseThrow())).isEqualTo("PENDING");
    assertThat(account(alice).debitsPending()).isEqualTo(BigInteger.valueOf(100));
    assertThat(transfers.resolve(ResolveCommand.post(Ids.newId(), holdId, null, "")).result())
        .isEqualTo(TransferResult.PENDING_TRANSFER_EXPIRED);
    assertInvariants();
  }

  @Test
  void holdCommandsOnKafkaAreAnsweredWithPendingAndPostedEvents() throws Exception {
    UUID issuance = open(EnumSet.noneOf(AccountFlag.class));
    UUID alice = funded(issuance, 1000);
    UUID shop = open(EnumSet.noneOf(AccountFlag.class));
    UUID holdId = Ids.newId();
    UUID postId = Ids.newId();
    try (var probe =
        new KafkaProbe(
            Topics.LEDGER_TRANSFER_PENDING,
            Topics.LEDGER_TRANSFER_POSTED,
            Topics.LEDGER_BALANCE_CHANGED)) {
      probe.send(
          Topics.LEDGER_HOLD_REQUESTED,
          holdId.toString(),
          Envelope.serialize(
              envelope.wrap(
                  Topics.typeOf(Topics.LEDGER_HOLD_REQUESTED),
                  holdId.toString(),
                  new HoldRequested(holdId, alice, shop, "600", "USD", "payment 9", 60))));
      var pendingRecord =
          probe.await(
              r ->
                  r.topic().equals(Topics.LEDGER_TRANSFER_PENDING)
                      && holdId.toString().equals(r.key()),
              Duration.ofSeconds(30));
      TransferPending pending =
          envelope.data(Envelope.deserialize(pendingRecord.value()), TransferPending.class);
      assertThat(pending.amount()).isEqualTo("600");
      assertThat(pending.timeoutAt()).isNotNull();

      probe.send(
          Topics.LEDGER_HOLD_POST_REQUESTED,
          postId.toString(),
          Envelope.serialize(
              envelope.wrap(
                  Topics.typeOf(Topics.LEDGER_HOLD_POST_REQUESTED),
                  postId.toString(),
                  new HoldPostRequested(postId, holdId, "250", "capture"))));
      var postedRecord =
          probe.await(
              r ->
                  r.topic().equals(Topics.LEDGER_TRANSFER_POSTED)
                      && postId.toString().equals(r.key()),
              Duration.ofSeconds(30));
      TransferPosted posted =
          envelope.data(Envelope.deserialize(postedRecord.value()), TransferPosted.class);
      assertThat(posted.pendingId()).isEqualTo(holdId);
      assertThat(posted.amount()).isEqualTo("250");
      probe.await(
          r -> r.topic().equals(Topics.LEDGER_BALANCE_CHANGED) && shop.toString().equals(r.key()),
          Duration.ofSeconds(30));
    }
    assertThat(account(shop).balance()).isEqualTo(BigInteger.valueOf(250));
    assertThat(account(alice).debitsPending()).isZero();
    assertInvariants();
  }

  // --- helpers ------------------------------------------------------------------------------

  /**
   * Per asset posted debits equal posted credits and pending debits equal pending credits; each
   * account's posted totals are its entries' sums and its pending totals the sums of its open
   * holds.
   */
  private void assertInvariants() {
    for (var row :
        jdbc.sql(
                """
                select asset, sum(debits_posted) - sum(credits_posted) as posted,
                       sum(debits_pending) - sum(credits_pending) as pending
                from ledger_account group by asset""")
            .query()
            .listOfRows()) {
      assertThat(((java.math.BigDecimal) row.get("posted")).signum()).isZero();
      assertThat(((java.math.BigDecimal) row.get("pending")).signum()).isZero();
    }
    long wrongPending =
        jdbc.sql(
                """
                select count(*) from ledger_account a
                where a.debits_pending <> coalesce((select sum(h.amount) from ledger_transfer h
                        where h.debit_account_id = a.id and h.kind = 'PENDING'
                          and not exists (select 1 from ledger_transfer r where r.pending_id = h.id)), 0)
                   or a.credits_pending <> coalesce((select sum(h.amount) from ledger_transfer h
                        where h.credit_account_id = a.id and h.kind = 'PENDING'
                          and not exists (select 1 from ledger_transfer r where r.pending_id = h.id)), 0)
                   or a.debits_posted <> coalesce((select sum(amount) from ledger_entry e
                        where e.account_id = a.id and e.direction = 'D'), 0)
                   or a.credits_posted <> coalesce((select sum(amount) from ledger_entry e
                        where e.account_id = a.id and e.direction = 'C'), 0)""")
            .query(Long.class)
            .single();
    assertThat(wrongPending)
        .as("accounts whose totals differ from entries and open holds")
        .isZero();
  }

  private UUID open(EnumSet<AccountFlag> flags) {
    return accounts.open(Ids.newId(), Asset.USD, "test", null, flags).account().id();
  }

  private UUID funded(UUID issuance, long amount) {
    UUID wallet = open(EnumSet.of(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS));
    assertThat(transfers.post(single(issuance, wallet, amount)).result())
        .isEqualTo(TransferResult.OK);
    return wallet;
  }

  private static TransferCommand single(UUID debit, UUID credit, long amount) {
    return new TransferCommand(Ids.newId(), debit, credit, BigInteger.valueOf(amount), "USD", "t");
  }

  private static TransferCommand hold(UUID id, UUID debit, UUID credit, long amount, long timeout) {
    return TransferCommand.hold(id, debit, credit, BigInteger.valueOf(amount), "USD", "h", timeout);
  }

  private Account account(UUID id) {
    return accounts.find(id).orElseThrow();
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
