package io.tpwallet.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.account.access.Scopes;
import io.tpwallet.account.token.TokenIssuer;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.LegacyCustomerImportRequested;
import io.tpwallet.common.event.LegacyCutoverRecorded;
import io.tpwallet.common.event.LegacyWalletImportRequested;
import io.tpwallet.common.event.Topics;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.KafkaProbe;
import io.tpwallet.testkit.TestKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * migration-service's import commands and cutover records, sent through Kafka as it sends them,
 * seen through the REST API as the migrated user and operations see the result: imported wallets
 * are MIGRATING and refused for payment until the job's SWITCHED, held ones stay refused, a
 * rollback makes them MIGRATING again, and a redelivered command changes nothing.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "tpw.account.ops-client.id=ops-test",
      "tpw.account.ops-client.secret=ops-test-secret-0123456789"
    })
class LegacyImportIT extends AccountServiceSupport {

  static final Duration EVENT_WAIT = Duration.ofSeconds(30);
  static final String WALLET_DLT = Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED + ".dlt";

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "legacyimport");
  }

  static KafkaProbe kafka;

  @BeforeAll
  static void probe() {
    kafka = new KafkaProbe(WALLET_DLT);
  }

  @AfterAll
  static void closeProbe() {
    kafka.close();
  }

  @Autowired Envelope envelope;
  @Autowired TokenIssuer tokens;

  @Test
  void importedWalletsPayOnlyAfterTheSwitchAndARollbackStopsThemAgain() throws Exception {
    UUID job = UUID.randomUUID();
    UUID customer = UUID.randomUUID();
    String email = "legacy-" + customer + "@example.com";
    byte[] customerCommand =
        customer(job, customer, "legacy:users:7", email.toUpperCase(), "Ann Legacy", false);
    UUID usd = UUID.randomUUID();
    UUID eur = UUID.randomUUID();
    UUID deleted = UUID.randomUUID();
    UUID secondUsd = UUID.randomUUID();
    byte[] usdCommand = wallet(job, usd, customer, "usd", "legacy:wallets:70", false);
    send(Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED, customer, customerCommand);
    send(Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED, customer, usdCommand);
    send(
        Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED,
        customer,
        wallet(job, eur, customer, "EUR", "legacy:wallets:71", false));
    send(
        Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED,
        customer,
        wallet(job, deleted, customer, "USD", "legacy:wallets:72", true));
    send(
        Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED,
        customer,
        wallet(job, secondUsd, customer, "USD", "legacy:wallets:73", false));

    String token = tokenOf(customer);
    Map<String, JsonNode> wallets = awaitWallets(customer, token, w -> w.size() == 4);
    assertThat(statuses(wallets))
        .containsEntry(usd.toString(), "MIGRATING")
        .containsEntry(eur.toString(), "MIGRATING")
        .containsEntry(deleted.toString(), "HELD")
        .containsEntry(secondUsd.toString(), "HELD");
    assertThat(wallets.get(usd.toString()).get("asset").asString()).isEqualTo("USD");
    assertThat(wallets.get(usd.toString()).get("legacyRef").asString())
        .isEqualTo("legacy:wallets:70");
    assertThat(wallets.get(deleted.toString()).get("reason").asString())
        .isEqualTo("legacy wallet deleted");
    assertThat(wallets.get(secondUsd.toString()).get("reason").asString())
        .startsWith("second legacy USD wallet");
    Answer holder = call("GET", "/v1/accounts/customers/" + customer, token, null);
    assertThat(holder.text("legacyRef")).isEqualTo("legacy:users:7");
    assertThat(holder.text("displayName")).isEqualTo("Ann Legacy");
    assertThat(holder.text("email")).isEqualTo(email);
    assertThat(holder.text("kind")).isEqualTo("INDIVIDUAL");
    // The ledger account exists already (the migration opened it): no open command for it.
    assertThat(count("outbox_event where aggregate_id = '" + usd + "'")).isZero();

    Answer before = authorizeFrom(usd, token, "100", "USD");
    assertThat(before.status()).isEqualTo(409);
    assertThat(before.text("type")).endsWith("/wallet-not-active");
    // Opening a USD wallet answers the imported one, not a second.
    Answer open =
        call(
            "POST",
            "/v1/accounts/customers/" + customer + "/wallets",
            token,
            "{\"asset\":\"USD\"}");
    assertThat(open.status()).isEqualTo(200);
    assertThat(open.text("id")).isEqualTo(usd.toString());

    Instant switchedAt = Instant.now();
    byte[] switched = cutover(job, LegacyCutoverRecorded.SWITCHED, List.of(eur), switchedAt);
    send(Topics.MIGRATION_CUTOVER_RECORDED, job, switched);
    wallets = awaitWallets(customer, token, w -> "ACTIVE".equals(status(w, usd)));
    assertThat(statuses(wallets))
        .containsEntry(eur.toString(), "HELD")
        .containsEntry(deleted.toString(), "HELD")
        .containsEntry(secondUsd.toString(), "HELD");
    assertThat(wallets.get(eur.toString()).get("reason").asString())
        .isEqualTo("overdrawn at cutover");

    Answer paid = authorizeFrom(usd, token, "10000", "USD"); // L0 per transaction
    assertThat(paid.status()).as(paid.body().toString()).isEqualTo(200);
    assertThat(authorizeFrom(usd, token, "10001", "USD").text("type"))
        .endsWith("/kyc-limit-exceeded");
    for (UUID held : List.of(eur, deleted, secondUsd)) {
      Answer refused = authorizeFrom(held, token, "100", held.equals(eur) ? "EUR" : "USD");
      assertThat(refused.status()).as(held.toString()).isEqualTo(409);
      assertThat(refused.text("type")).endsWith("/wallet-not-active");
    }

    // Redelivered commands and cutover: nothing changes, nothing is audited twice.
    Map<String, String> updatedAt = updatedAt(wallets);
    send(Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED, customer, customerCommand);
    send(Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED, customer, usdCommand);
    send(Topics.MIGRATION_CUTOVER_RECORDED, job, switched);
    awaitConsumed();
    assertThat(updatedAt(awaitWallets(customer, token, w -> true))).isEqualTo(updatedAt);
    assertThat(audit(job.toString(), "wallet.cutover", "OK")).isEqualTo(1);
    assertThat(audit(usd.toString(), "wallet.import", "OK")).isEqualTo(1);
    assertThat(audit(customer.toString(), "customer.import", "OK")).isEqualTo(1);

    String ops = clientToken(OPS, OPS_SECRET, null).text("access_token");
    Answer summary = call("GET", "/v1/accounts/admin/migrations/" + job, ops, null);
    assertThat(summary.text("cutover")).isEqualTo("SWITCHED");
    assertThat(summary.body().get("wallets").get("ACTIVE").asLong()).isEqualTo(1);
    assertThat(summary.body().get("wallets").get("HELD").asLong()).isEqualTo(3);
    assertThat(call("GET", "/v1/accounts/admin/migrations/" + job, token, null).status())
        .isEqualTo(403);
    Answer page1 =
        call(
            "GET",
            "/v1/accounts/admin/migrations/" + job + "/wallets?status=HELD&limit=2",
            ops,
            null);
    assertThat(page1.body().get("wallets")).hasSize(2);
    Answer page2 =
        call(
            "GET",
            "/v1/accounts/admin/migrations/"
                + job
                + "/wallets?status=HELD&limit=2&after="
                + page1.text("next"),
            ops,
            null);
    assertThat(page2.body().get("wallets")).hasSize(1);
    assertThat(page2.body().get("next").isNull()).isTrue();
    assertThat(
            List.of(page1, page2).stream()
                .flatMap(p -> p.body().get("wallets").findValuesAsString("id").stream())
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(eur.toString(), deleted.toString(), secondUsd.toString());
    assertThat(
            call("GET", "/v1/accounts/admin/migrations/" + job + "/wallets?status=NOPE", ops, null)
                .status())
        .isEqualTo(400);

    send(
        Topics.MIGRATION_CUTOVER_RECORDED,
        job,
        cutover(job, LegacyCutoverRecorded.ROLLED_BACK, List.of(), switchedAt.plusSeconds(60)));
    wallets = awaitWallets(customer, token, w -> "MIGRATING".equals(status(w, usd)));
    assertThat(statuses(wallets))
        .containsEntry(eur.toString(), "HELD")
        .containsEntry(deleted.toString(), "HELD")
        .containsEntry(secondUsd.toString(), "HELD");
    assertThat(authorizeFrom(usd, token, "100", "USD").status()).isEqualTo(409);

    // A SWITCHED older than the rollback (sent again late, with a new event id) is not applied.
    send(
        Topics.MIGRATION_CUTOVER_RECORDED,
        job,
        cutover(job, LegacyCutoverRecorded.SWITCHED, List.of(eur), switchedAt));
    await(() -> audit(job.toString(), "wallet.cutover", "REFUSED") == 1);
    assertThat(status(awaitWallets(customer, token, w -> true), usd)).isEqualTo("MIGRATING");
  }

  @Test
  void aLegacyEmailThatAnotherCustomerHoldsIsLeftOutAndTheNewestCommandWins() throws Exception {
    User platform = newUser();
    UUID job = UUID.randomUUID();
    UUID dup = UUID.randomUUID();
    send(
        Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED,
        dup,
        customer(job, dup, "legacy:users:8", " " + platform.email().toUpperCase(), null, false));
    await(() -> audit(dup.toString(), "customer.import", "OK") == 1);
    Answer imported = call("GET", "/v1/accounts/customers/" + dup, tokenOf(dup), null);
    assertThat(imported.status()).isEqualTo(200);
    assertThat(imported.body().get("email").isNull()).isTrue();
    assertThat(imported.text("displayName")).isEqualTo("Legacy user 8");
    assertThat(audit(dup.toString(), "customer.import.without-email", "OK")).isEqualTo(1);
    assertThat(
            jdbc.sql("select import_note from customer where id = ?")
                .param(dup)
                .query(String.class)
                .single())
        .contains(platform.id().toString());

    // The legacy row changed: the newest command's name and (now free) e-mail win.
    String fresh = "fresh-" + dup + "@example.com";
    send(
        Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED,
        dup,
        customer(job, dup, "legacy:users:8", fresh, "Bea Renamed", false));
    await(() -> audit(dup.toString(), "customer.import.update", "OK") == 1);
    Answer updated = call("GET", "/v1/accounts/customers/" + dup, tokenOf(dup), null);
    assertThat(updated.text("email")).isEqualTo(fresh);
    assertThat(updated.text("displayName")).isEqualTo("Bea Renamed");

    // Another legacy database has a user 8 too (its job has its own id namespace): a customer
    // of its own, while the same job naming user 8 under another id is refused.
    UUID other = UUID.randomUUID();
    send(
        Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED,
        other,
        customer(UUID.randomUUID(), other, "legacy:users:8", null, "Dee Other", false));
    await(() -> audit(other.toString(), "customer.import", "OK") == 1);
    UUID twin = UUID.randomUUID();
    send(
        Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED,
        twin,
        customer(job, twin, "legacy:users:8", null, "Twin", false));
    await(() -> audit(twin.toString(), "customer.import", "REFUSED") == 1);
    assertThat(count("customer where id = '" + twin + "'")).isZero();

    // A command naming a platform customer's id changes nothing of it.
    send(
        Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED,
        platform.id(),
        customer(job, platform.id(), "legacy:users:9", "x-" + dup + "@example.com", "X", false));
    await(() -> audit(platform.id().toString(), "customer.import", "REFUSED") == 1);
    Answer untouched =
        call("GET", "/v1/accounts/customers/" + platform.id(), platform.access(), null);
    assertThat(untouched.text("displayName")).isEqualTo("Test");
    assertThat(untouched.text("email")).isEqualTo(platform.email());
    assertThat(untouched.body().get("legacyRef").isNull()).isTrue();
  }

  @Test
  void aWalletBeforeItsCustomerWaitsAndAWalletAfterTheSwitchGetsTheSwitchsState() throws Exception {
    UUID job = UUID.randomUUID();
    UUID customer = UUID.randomUUID();
    UUID early = UUID.randomUUID();
    send(
        Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED,
        customer,
        wallet(job, early, customer, "USD", "legacy:wallets:90", false));
    await(() -> audit(early.toString(), "wallet.import.parked", "OK") == 1);
    String ops = clientToken(OPS, OPS_SECRET, null).text("access_token");
    assertThat(
            call("GET", "/v1/accounts/admin/migrations/" + job, ops, null)
                .body()
                .get("waitingForCustomer")
                .asLong())
        .isEqualTo(1);

    // The job switches before the other wallets are imported (another topic, another order).
    UUID overdrawn = UUID.randomUUID();
    UUID late = UUID.randomUUID();
    send(
        Topics.MIGRATION_CUTOVER_RECORDED,
        job,
        cutover(job, LegacyCutoverRecorded.SWITCHED, List.of(overdrawn), Instant.now()));
    await(() -> audit(job.toString(), "wallet.cutover", "OK") == 1);
    send(
        Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED,
        customer,
        customer(job, customer, "legacy:users:90", null, "Cy Early", false));
    send(
        Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED,
        customer,
        wallet(job, overdrawn, customer, "EUR", "legacy:wallets:91", false));
    send(
        Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED,
        customer,
        wallet(job, late, customer, "EUR", "legacy:wallets:92", false));
    String token = tokenOf(customer);
    Map<String, JsonNode> wallets = awaitWallets(customer, token, w -> w.size() == 3);
    assertThat(statuses(wallets))
        .containsEntry(early.toString(), "ACTIVE")
        .containsEntry(overdrawn.toString(), "HELD")
        .containsEntry(late.toString(), "HELD"); // a second EUR wallet of the holder
    assertThat(wallets.get(late.toString()).get("reason").asString())
        .startsWith("second legacy EUR wallet");
    assertThat(authorizeFrom(early, token, "100", "USD").status()).isEqualTo(200);
    assertThat(
            call("GET", "/v1/accounts/admin/migrations/" + job, ops, null)
                .body()
                .get("waitingForCustomer")
                .asLong())
        .isZero();

    // A command that can never apply (an asset the platform does not hold) makes no wallet and
    // is parked on the dead-letter topic, not retried for ever.
    UUID doge = UUID.randomUUID();
    send(
        Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED,
        customer,
        wallet(job, doge, customer, "DOGE", "legacy:wallets:93", false));
    kafka.await(
        r -> r.topic().equals(WALLET_DLT) && customer.toString().equals(r.key()), EVENT_WAIT);
    assertThat(count("wallet where id = '" + doge + "'")).isZero();
    assertThat(audit(doge.toString(), "wallet.import", "REFUSED")).isGreaterThanOrEqualTo(1);
  }

  /**
   * A job of 100,000 wallets with the most held wallets one record may list (10,000), as one event
   * through Kafka and one statement: the switch, its rollback and a second switch that lists fewer,
   * each landing on every wallet.
   */
  @Test
  void aCutoverOfAHundredThousandWalletsLandsOnEveryWallet() throws Exception {
    UUID job = UUID.randomUUID();
    int wallets = 100_000;
    jdbc.sql(
            "insert into customer (id, kind, display_name, kyc_tier, created_at, legacy_ref,"
                + " migration_job_id) select gen_random_uuid(), 'INDIVIDUAL', 'Scale ' || i,"
                + " 'L0', now(), 'legacy:users:scale-' || ? || '-' || i, ? from"
                + " generate_series(1, ?) i")
        .params(job.toString(), job, wallets)
        .update();
    jdbc.sql(
            "insert into wallet (id, customer_id, asset, status, created_at, updated_at,"
                + " legacy_ref, migration_job_id) select gen_random_uuid(), c.id, 'USD',"
                + " 'MIGRATING', now(), now(), 'legacy:wallets:' || substr(c.legacy_ref, 14), ?"
                + " from customer c where c.migration_job_id = ?")
        .params(job, job)
        .update();
    List<UUID> ids =
        jdbc.sql("select id from wallet where migration_job_id = ? order by id")
            .param(job)
            .query(UUID.class)
            .list();
    assertThat(ids).hasSize(wallets);
    List<UUID> held = ids.subList(0, LegacyCutoverRecorded.WALLETS_HELD_MAX);
    String ops = clientToken(OPS, OPS_SECRET, null).text("access_token");
    Instant at = Instant.now();

    send(
        Topics.MIGRATION_CUTOVER_RECORDED,
        job,
        cutover(job, LegacyCutoverRecorded.SWITCHED, held, at));
    awaitSummary(ops, job, Map.of("MIGRATING", 0L, "ACTIVE", 90_000L, "HELD", 10_000L));
    assertThat(
            jdbc.sql("select count(*) from wallet where id = any(?::uuid[]) and reason = ?")
                .params(
                    held.stream().map(UUID::toString).toArray(String[]::new),
                    "overdrawn at cutover")
                .query(Long.class)
                .single())
        .isEqualTo(10_000);

    send(
        Topics.MIGRATION_CUTOVER_RECORDED,
        job,
        cutover(job, LegacyCutoverRecorded.ROLLED_BACK, List.of(), at.plusSeconds(1)));
    awaitSummary(ops, job, Map.of("MIGRATING", 90_000L, "ACTIVE", 0L, "HELD", 10_000L));

    send(
        Topics.MIGRATION_CUTOVER_RECORDED,
        job,
        cutover(job, LegacyCutoverRecorded.SWITCHED, held.subList(0, 5_000), at.plusSeconds(2)));
    awaitSummary(ops, job, Map.of("MIGRATING", 0L, "ACTIVE", 95_000L, "HELD", 5_000L));
    assertThat(audit(job.toString(), "wallet.cutover", "OK")).isEqualTo(3);
  }

  void awaitSummary(String ops, UUID job, Map<String, Long> expected) throws Exception {
    Instant until = Instant.now().plus(Duration.ofMinutes(3));
    JsonNode wallets;
    do {
      JsonNode now =
          call("GET", "/v1/accounts/admin/migrations/" + job, ops, null).body().get("wallets");
      wallets = now;
      Map<String, Long> counts =
          expected.keySet().stream().collect(Collectors.toMap(k -> k, k -> now.get(k).asLong()));
      if (counts.equals(expected)) {
        return;
      }
      Thread.sleep(250);
    } while (Instant.now().isBefore(until));
    throw new AssertionError("wallets of job " + job + ": " + wallets);
  }

  // ---------------------------------------------------------------- helpers

  byte[] customer(UUID job, UUID id, String ref, String email, String name, boolean deleted) {
    return event(
        Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED,
        id,
        new LegacyCustomerImportRequested(
            job, id, ref, email, name, Instant.parse("2019-05-01T10:00:00Z"), deleted));
  }

  byte[] wallet(UUID job, UUID id, UUID customer, String asset, String ref, boolean deleted) {
    return event(
        Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED,
        customer,
        new LegacyWalletImportRequested(job, id, customer, asset, ref, deleted));
  }

  byte[] cutover(UUID job, String status, List<UUID> held, Instant at) {
    return event(
        Topics.MIGRATION_CUTOVER_RECORDED, job, new LegacyCutoverRecorded(job, status, held, at));
  }

  byte[] event(String topic, UUID key, Object data) {
    return Envelope.serialize(envelope.wrap(Topics.typeOf(topic), key.toString(), data));
  }

  void send(String topic, UUID key, byte[] event) {
    kafka.send(topic, key.toString(), event);
  }

  /** The migrated user's own access token (how the user logs in first is recovery's matter). */
  String tokenOf(UUID customer) {
    return tokens
        .issue(customer.toString(), "legacy-import-it", customer, null, Set.copyOf(Scopes.CUSTOMER))
        .value();
  }

  Answer authorizeFrom(UUID wallet, String token, String amount, String asset) throws Exception {
    return authorizeAt(
        "/v1/accounts/wallets/" + wallet + "/limits/authorizations", token, amount, asset);
  }

  Map<String, JsonNode> awaitWallets(
      UUID customer, String token, Predicate<Map<String, JsonNode>> done) throws Exception {
    Instant until = Instant.now().plus(EVENT_WAIT);
    Map<String, JsonNode> wallets;
    do {
      Answer list = call("GET", "/v1/accounts/customers/" + customer + "/wallets", token, null);
      wallets = new java.util.LinkedHashMap<>();
      if (list.status() == 200) {
        for (JsonNode w : list.body()) {
          wallets.put(w.get("id").asString(), w);
        }
        if (done.test(wallets)) {
          return wallets;
        }
      }
      Thread.sleep(100);
    } while (Instant.now().isBefore(until));
    throw new AssertionError("wallets of " + customer + ": " + wallets);
  }

  /**
   * Waits until account-service has consumed every record on the migration topics: a redelivered
   * record leaves no trace to wait for, but its offset is committed once it was taken.
   */
  void awaitConsumed() throws Exception {
    List<String> topics =
        List.of(
            Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED,
            Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED,
            Topics.MIGRATION_CUTOVER_RECORDED);
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      admin
          .describeTopics(topics)
          .allTopicNames()
          .get()
          .forEach(
              (topic, d) ->
                  d.partitions()
                      .forEach(
                          p ->
                              latest.put(
                                  new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
      Map<TopicPartition, Long> ends =
          admin.listOffsets(latest).all().get().entrySet().stream()
              .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
      await(
          () -> {
            Map<TopicPartition, OffsetAndMetadata> committed =
                admin
                    .listConsumerGroupOffsets("account-service")
                    .partitionsToOffsetAndMetadata()
                    .get();
            return ends.entrySet().stream()
                .allMatch(
                    e -> {
                      OffsetAndMetadata c = committed.get(e.getKey());
                      return e.getValue() == 0 || (c != null && c.offset() >= e.getValue());
                    });
          });
    }
  }

  static String status(Map<String, JsonNode> wallets, UUID id) {
    JsonNode w = wallets.get(id.toString());
    return w == null ? null : w.get("status").asString();
  }

  static Map<String, String> statuses(Map<String, JsonNode> wallets) {
    return wallets.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get("status").asString()));
  }

  static Map<String, String> updatedAt(Map<String, JsonNode> wallets) {
    return wallets.entrySet().stream()
        .collect(
            Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get("updatedAt").asString()));
  }

  static void await(Callable<Boolean> condition) throws Exception {
    Instant until = Instant.now().plus(EVENT_WAIT);
    while (!condition.call()) {
      if (Instant.now().isAfter(until)) {
        throw new AssertionError("not within " + EVENT_WAIT);
      }
      Thread.sleep(100);
    }
  }
}
