package io.tpwallet.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudevents.CloudEvent;
import io.tpwallet.common.event.AccountOpenRejected;
import io.tpwallet.common.event.AccountOpenRequested;
import io.tpwallet.common.event.AccountOpened;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.KafkaProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Wallets, with the outbox relay and Kafka on: a new wallet sends the ledger its open command, the
 * ledger's answer activates it, and a payment from it is checked against the holder's KYC limits.
 * The ledger's side of the command is LedgerIT's; here the test answers as the ledger does.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "tpw.account.ops-client.id=ops-test",
      "tpw.account.ops-client.secret=ops-test-secret-0123456789"
    })
class WalletIT extends AccountServiceSupport {

  static final Duration EVENT_WAIT = Duration.ofSeconds(30);

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "wallet");
  }

  static KafkaProbe kafka;

  @BeforeAll
  static void probe() {
    kafka = new KafkaProbe(Topics.LEDGER_ACCOUNT_OPEN_REQUESTED);
  }

  @AfterAll
  static void closeProbe() {
    kafka.close();
  }

  @Autowired Envelope envelope;

  @Test
  void aNewWalletAsksTheLedgerForItsAccountOnceAndBecomesActiveOnTheAnswer() throws Exception {
    User alice = newUser();
    Answer opened = openWallet(alice, "USD");
    assertThat(opened.status()).isEqualTo(201);
    assertThat(opened.text("status")).isEqualTo("OPENING");
    assertThat(opened.text("customerId")).isEqualTo(alice.id().toString());
    String walletId = opened.text("id");

    ConsumerRecord<String, byte[]> record = awaitCommand(walletId);
    CloudEvent command = Envelope.deserialize(record.value());
    assertThat(command.getType()).isEqualTo("tpw.ledger.account-open-requested");
    assertThat(envelope.data(command, AccountOpenRequested.class))
        .isEqualTo(
            new AccountOpenRequested(
                UUID.fromString(walletId),
                "USD",
                "wallet",
                "customer:" + alice.id(),
                List.of("DEBITS_MUST_NOT_EXCEED_CREDITS")));

    // Asking again answers the same wallet and sends no second command.
    Answer again = openWallet(alice, "usd");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.text("id")).isEqualTo(walletId);

    byte[] answer = accountOpened(walletId, "USD", alice);
    kafka.send(Topics.LEDGER_ACCOUNT_OPENED, walletId, answer);
    kafka.send(Topics.LEDGER_ACCOUNT_OPENED, walletId, answer); // redelivered
    assertThat(awaitStatus(alice, walletId, "ACTIVE").text("asset")).isEqualTo("USD");
    assertThat(
            kafka.all(
                r ->
                    walletId.equals(r.key())
                        && r.topic().equals(Topics.LEDGER_ACCOUNT_OPEN_REQUESTED),
                Duration.ofMillis(500)))
        .hasSize(1);
    assertThat(audit(walletId, "wallet.active", "OK")).isEqualTo(1);

    Answer list =
        call("GET", "/v1/accounts/customers/" + alice.id() + "/wallets", alice.access(), null);
    assertThat(list.body().findValuesAsString("id")).containsExactly(walletId);
    User bob = newUser();
    assertThat(call("GET", "/v1/accounts/wallets/" + walletId, bob.access(), null).status())
        .isEqualTo(404);
    assertThat(openWallet(bob, alice, "EUR").status()).isEqualTo(404);
    assertThat(audit(walletId, "wallet.read", "REFUSED")).isEqualTo(1);
  }

  @Test
  void badInputOpensNothingAndARefusalByTheLedgerFailsTheWallet() throws Exception {
    User carol = newUser();
    long before = count("wallet");
    Answer bad = openWallet(carol, "DOGE");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.text("type")).isEqualTo("https://tpwallet.io/problems/validation");
    assertThat(
            call("POST", "/v1/accounts/customers/" + carol.id() + "/wallets", carol.access(), "{")
                .status())
        .isEqualTo(400);
    assertThat(count("wallet")).isEqualTo(before);

    String walletId = openWallet(carol, "EUR").text("id");
    awaitCommand(walletId);
    kafka.send(
        Topics.LEDGER_ACCOUNT_OPEN_REJECTED,
        walletId,
        Envelope.serialize(
            envelope.wrap(
                "tpw.ledger.account-open-rejected",
                walletId,
                new AccountOpenRejected(
                    UUID.fromString(walletId), "INVALID_ACCOUNT", "refused for the test"))));
    Answer failed = awaitStatus(carol, walletId, "FAILED");
    assertThat(failed.text("reason")).isEqualTo("INVALID_ACCOUNT: refused for the test");
    // A late "opened" after the refusal does not revive it.
    kafka.send(Topics.LEDGER_ACCOUNT_OPENED, walletId, accountOpened(walletId, "EUR", carol));
    Thread.sleep(1_000);
    assertThat(call("GET", "/v1/accounts/wallets/" + walletId, carol.access(), null).text("status"))
        .isEqualTo("FAILED");
  }

  @Test
  void aPaymentFromAWalletIsCheckedAgainstItsHoldersTierLimits() throws Exception {
    User dave = newUser();
    String walletId = activeWallet(dave, "USD");

    Answer within = authorizeFrom(walletId, dave.access(), "10000", "USD"); // L0 per transaction
    assertThat(within.status()).as(within.body().toString()).isEqualTo(200);
    assertThat(within.text("tier")).isEqualTo("L0");
    assertThat(within.text("spentToday")).isEqualTo("10000");

    Answer over = authorizeFrom(walletId, dave.access(), "10001", "USD");
    assertThat(over.status()).isEqualTo(422);
    assertThat(over.text("type")).isEqualTo("https://tpwallet.io/problems/kyc-limit-exceeded");
    assertThat(over.text("limit")).isEqualTo("per-transaction");
    assertThat(over.text("limitMinor")).isEqualTo("10000");
    assertThat(over.text("amountMinor")).isEqualTo("10001");
    assertThat(over.text("spentTodayMinor")).isEqualTo("10000");

    Answer otherAsset = authorizeFrom(walletId, dave.access(), "100", "EUR");
    assertThat(otherAsset.status()).isEqualTo(422);
    assertThat(otherAsset.text("type")).endsWith("/wallet-asset-mismatch");

    String opening = openWallet(dave, "EUR").text("id");
    Answer notActive = authorizeFrom(opening, dave.access(), "100", "EUR");
    assertThat(notActive.status()).isEqualTo(409);
    assertThat(notActive.text("type")).endsWith("/wallet-not-active");

    User eve = newUser();
    assertThat(authorizeFrom(walletId, eve.access(), "100", "USD").status()).isEqualTo(404);
    assertThat(authorizeFrom(walletId, null, "100", "USD").status()).isEqualTo(401);
    assertThat(
            jdbc.sql("select count(*) from kyc_spend where customer_id = ?")
                .param(dave.id())
                .query(Long.class)
                .single())
        .isEqualTo(1);
  }

  // ---------------------------------------------------------------- helpers

  Answer openWallet(User user, String asset) throws Exception {
    return openWallet(user, user, asset);
  }

  Answer openWallet(User caller, User holder, String asset) throws Exception {
    return call(
        "POST",
        "/v1/accounts/customers/" + holder.id() + "/wallets",
        caller.access(),
        "{\"asset\":\"" + asset + "\"}");
  }

  /** A wallet the ledger has answered for, as it does once the account exists. */
  String activeWallet(User user, String asset) throws Exception {
    String walletId = openWallet(user, asset).text("id");
    awaitCommand(walletId);
    kafka.send(Topics.LEDGER_ACCOUNT_OPENED, walletId, accountOpened(walletId, asset, user));
    awaitStatus(user, walletId, "ACTIVE");
    return walletId;
  }

  /** The ledger's answer to the wallet's open command, as ledger-service writes it. */
  byte[] accountOpened(String walletId, String asset, User holder) {
    return Envelope.serialize(
        envelope.wrap(
            "tpw.ledger.account-opened",
            walletId,
            new AccountOpened(
                UUID.fromString(walletId),
                asset,
                "wallet",
                "customer:" + holder.id(),
                Instant.now())));
  }

  Answer authorizeFrom(String walletId, String token, String amount, String asset)
      throws Exception {
    return call(
        "POST",
        "/v1/accounts/wallets/" + walletId + "/limits/authorizations",
        token,
        "{\"paymentId\":\""
            + UUID.randomUUID()
            + "\",\"amount\":\""
            + amount
            + "\",\"asset\":\""
            + asset
            + "\"}");
  }

  ConsumerRecord<String, byte[]> awaitCommand(String walletId) {
    return kafka.await(
        r -> r.topic().equals(Topics.LEDGER_ACCOUNT_OPEN_REQUESTED) && walletId.equals(r.key()),
        EVENT_WAIT);
  }

  Answer awaitStatus(User user, String walletId, String status) throws Exception {
    Instant until = Instant.now().plus(EVENT_WAIT);
    Answer wallet;
    do {
      wallet = call("GET", "/v1/accounts/wallets/" + walletId, user.access(), null);
      if (status.equals(wallet.text("status"))) {
        return wallet;
      }
      Thread.sleep(100);
    } while (Instant.now().isBefore(until));
    throw new AssertionError("wallet " + walletId + " is " + wallet.text("status"));
  }
}
