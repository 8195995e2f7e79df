package io.tpwallet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.testkit.TestKafka;
import io.tpwallet.testkit.TestPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * The legacy wallet migrated into the real ledger: ledger-service and migration-service run as
 * their jars, the legacy database is seeded with anomalies and written to while the runner streams
 * it (both through the migration jar's legacy CLI), the runner is killed with SIGKILL mid-stream
 * and restarted (and so is ledger-service), and the reconciliation against ledger-service's
 * balances comes out clean, with every legacy transaction in the ledger exactly once.
 * account-service runs too: the migrated users and wallets are imported into it, the cutover gives
 * every migrated wallet the ledger's no-overdraft limit and makes the wallets ACTIVE there, the
 * ledger then refuses a transfer that would overdraw one, and the rollback makes them MIGRATING
 * again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MigrationE2EIT {

  private static final Duration READY = Duration.ofMinutes(3);
  private static final Duration WAIT_MAX = Duration.ofSeconds(60);
  private static final Path ROOT = Path.of(System.getProperty("tpw.root", ".."));
  private static final String VERSION = System.getProperty("tpw.version", "0.1.0-SNAPSHOT");

  private final String run = "mig" + Long.toHexString(System.nanoTime() & 0xFFFFFF);
  private final String opsSecret = "e2e-ops-" + Long.toHexString(System.nanoTime());
  private ServiceProcess ledger;
  private ServiceProcess account;
  private ServiceProcess migration;
  private Api api;
  private String legacyUrl;

  @BeforeAll
  void startTheLedgerAndTheRunner() {
    ledger = service("ledger-service", "ledger", Map.of());
    ledger.start();
    account =
        service(
            "account-service",
            "account",
            Map.of("TPW_OPS_CLIENT_ID", "e2e-ops", "TPW_OPS_CLIENT_SECRET", opsSecret));
    account.with("TPW_TOKEN_ISSUER", account.url());
    account.start();
    migration = service("migration-service", "migration", Map.of("TPW_LEDGER_URL", ledger.url()));
    migration.start();
    CompletableFuture.allOf(
            CompletableFuture.runAsync(() -> ledger.awaitReady(READY)),
            CompletableFuture.runAsync(() -> account.awaitReady(READY)),
            CompletableFuture.runAsync(() -> migration.awaitReady(READY)))
        .join();
    api = new Api(migration.url());
    legacyUrl = TestPostgres.server().urlOf(run + "_legacy");
  }

  @AfterAll
  void stop() {
    for (ServiceProcess s : new ServiceProcess[] {migration, account, ledger}) {
      if (s != null) {
        s.stop();
      }
    }
  }

  @Test
  void aLegacyWalletMovesIntoTheLedgerExactlyOnceThroughAKillAndCutsOver() throws Exception {
    JsonNode seeded =
        Api.JSON.readTree(
            legacyCli("seed", "--users", "40", "--tx", "400", "--seed", "7", "--anomalies", "2"));
    assertThat(seeded.path("transactions").asInt()).isGreaterThanOrEqualTo(400);

    var server = TestPostgres.server();
    var created =
        api.post(
            "/v1/migrations",
            null,
            """
            {"name":"e2e","source":{"jdbcUrl":"%s","user":"%s","password":"%s"},"legacyZone":"Asia/Shanghai"}"""
                .formatted(legacyUrl, server.user(), server.password()));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String job = created.text("id");
    assertThat(api.post("/v1/migrations/" + job + "/start", null, "").status()).isEqualTo(202);
    awaitTrue(() -> status(job).path("snapshotCompletedAt").isString(), "snapshot completed");

    // Live legacy traffic while the runner streams; the runner dies mid-stream and comes back.
    Process traffic = legacyCliProcess("traffic", "--tps", "25", "--seconds", "10", "--seed", "3");
    try {
      awaitTrue(() -> status(job).path("eventsStreamed").asLong() > 20, "traffic streamed");
      migration.kill();
      ServiceProcess.sleep(1_000);
      migration.start().awaitReady(READY);
      // The ledger dies too, with batched transfer commands in flight: it takes them again from
      // its last committed offsets, and its inbox (one row per batched record) drops what it had
      // applied already.
      awaitTrue(
          () -> status(job).path("eventsStreamed").asLong() > 60, "traffic streamed after restart");
      ledger.kill();
      ServiceProcess.sleep(1_000);
      ledger.start().awaitReady(READY);
      assertThat(traffic.waitFor(60, TimeUnit.SECONDS)).as("traffic finished").isTrue();
      assertThat(traffic.exitValue()).as("traffic exit code").isZero();
    } finally {
      traffic.destroyForcibly();
    }
    awaitTrue(
        () -> status(job).path("phase").asString().equals("STREAMING"), "job resumed by itself");

    // Reconcile against ledger-service once the lag has drained and every command is answered.
    var reply =
        api.get(
            "/v1/migrations/" + job + "/report?ledger=true&waitSeconds=60", Duration.ofSeconds(90));
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonNode report = reply.json();
    JsonNode check = report.path("ledger");
    assertThat(check.path("settled").asBoolean()).as(check.toString()).isTrue();
    assertThat(check.path("unexplained").asLong()).as(check.toString()).isZero();
    assertThat(check.path("differences").size()).as(check.path("differences").toString()).isZero();
    assertThat(check.path("commandsRejected").asLong())
        .as(check.path("rejections").toString())
        .isZero();
    assertThat(report.path("mismatches").size()).as(report.path("mismatches").toString()).isZero();
    assertThat(report.path("clean").asBoolean()).isTrue();
    Map<String, String> reasons = new HashMap<>();
    report
        .path("failures")
        .forEach(
            f ->
                reasons.put(
                    f.path("table").asString() + ":" + f.path("pk").asString(),
                    f.path("reason").asString()));
    seeded
        .path("injected")
        .path("DUPLICATE")
        .forEach(k -> assertThat(reasons).containsEntry(k.asString(), "duplicate"));
    seeded
        .path("injected")
        .path("BAD_SCALE")
        .forEach(
            k -> assertThat(reasons).containsEntry(k.asString(), "amount-scale-exceeds-asset"));
    seeded
        .path("injected")
        .path("ORPHAN")
        .forEach(k -> assertThat(reasons).containsEntry(k.asString(), "orphan-wallet"));

    // Exactly once: every successful legacy transaction that was not refused is one transfer in
    // the ledger under its own key, and the ledger holds no other legacy transaction.
    Set<String> expected = new HashSet<>();
    try (Connection legacy = connect(legacyUrl);
        var rs =
            legacy
                .createStatement()
                .executeQuery(
                    "select id from transactions where status_code = 1 and deleted = 0")) {
      while (rs.next()) {
        String key = "transactions:" + rs.getLong(1);
        if (!reasons.containsKey(key)) {
          expected.add("legacy:" + key);
        }
      }
    }
    List<String> posted = new ArrayList<>();
    try (Connection db = connect(server.urlOf(run + "_ledger"));
        var rs =
            db.createStatement()
                .executeQuery(
                    "select reference from ledger_transfer where reference ~ '^legacy:transactions:[0-9]+$'")) {
      while (rs.next()) {
        posted.add(rs.getString(1));
      }
    }
    assertThat(posted).doesNotHaveDuplicates();
    assertThat(new HashSet<>(posted)).isEqualTo(expected);

    // Cutover: legacy frozen by a trigger, lag drained, reconciled, the switch recorded.
    var cut =
        api.post("/v1/migrations/" + job + "/cutover", null, "{\"freezeMethod\":\"TRIGGER\"}");
    assertThat(cut.status()).as(cut.body()).isEqualTo(200);
    assertThat(cut.text("status")).as(cut.body()).isEqualTo("SWITCHED");
    JsonNode afterCut = status(job);
    assertThat(afterCut.path("phase").asString()).isEqualTo("CUT_OVER");
    assertThat(afterCut.path("cutover").path("status").asString()).isEqualTo("SWITCHED");
    assertThat(afterCut.path("cutover").path("frozenMs").asLong()).isPositive().isLessThan(10_000);
    assertThat(legacyDeposit()).as("a legacy write while cut over").contains("frozen");

    // account-service: the job's imported wallets are payable now, except the held ones.
    Api ops =
        new Api(account.url()).as(Tokens.client(new Api(account.url()), "e2e-ops", opsSecret));
    awaitTrue(
        () -> {
          JsonNode summary = ops.get("/v1/accounts/admin/migrations/" + job).json();
          return "SWITCHED".equals(summary.path("cutover").asString())
              && summary.path("wallets").path("MIGRATING").asLong(-1) == 0
              && summary.path("wallets").path("ACTIVE").asLong() > 0;
        },
        "migrated wallets ACTIVE in account-service");
    JsonNode active =
        ops.get("/v1/accounts/admin/migrations/" + job + "/wallets?status=ACTIVE&limit=500").json();
    List<JsonNode> usd = new ArrayList<>();
    active
        .path("wallets")
        .forEach(
            w -> {
              if (w.path("asset").asString().equals("USD")) {
                usd.add(w);
              }
            });
    assertThat(usd).hasSizeGreaterThanOrEqualTo(2);
    String payer = usd.get(0).path("id").asString();
    String payee = usd.get(1).path("id").asString();
    Api ledgerApi = new Api(ledger.url());
    JsonNode payerAccount = ledgerApi.get("/v1/ledger/accounts/" + payer).json();
    assertThat(payerAccount.path("flags").toString()).contains("DEBITS_MUST_NOT_EXCEED_CREDITS");
    // The ledger refuses a transfer that would overdraw a migrated wallet.
    long over = Long.parseLong(payerAccount.path("balance").asString()) + 1;
    String transfer = java.util.UUID.randomUUID().toString();
    var refused =
        ledgerApi.post(
            "/v1/ledger/transfers",
            transfer,
            """
            {"id":"%s","debitAccountId":"%s","creditAccountId":"%s","amount":"%d","asset":"USD","reference":"e2e overdraft"}"""
                .formatted(transfer, payer, payee, over));
    assertThat(refused.status()).as(refused.body()).isEqualTo(422);
    assertThat(refused.body()).containsIgnoringCase("insufficient");
    assertThat(ledgerApi.get("/v1/ledger/accounts/" + payer).text("balance"))
        .isEqualTo(payerAccount.path("balance").asString());

    // Rollback: legacy accepts writes again, and the runner carries on streaming them.
    var back = api.post("/v1/migrations/" + job + "/rollback", null, "");
    assertThat(back.status()).as(back.body()).isEqualTo(200);
    assertThat(back.text("status")).isEqualTo("ROLLED_BACK");
    assertThat(status(job).path("phase").asString()).isEqualTo("STREAMING");
    assertThat(legacyDeposit()).isEqualTo("ok");
    assertThat(ledgerApi.get("/v1/ledger/accounts/" + payer).json().path("flags").toString())
        .as("the limit cleared by the rollback")
        .doesNotContain("DEBITS_MUST_NOT_EXCEED_CREDITS");
    awaitTrue(
        () ->
            ops.get("/v1/accounts/admin/migrations/" + job)
                    .json()
                    .path("wallets")
                    .path("ACTIVE")
                    .asLong(-1)
                == 0,
        "migrated wallets MIGRATING again in account-service");
  }

  /** A legacy deposit as the legacy app writes one: "ok", or the database's refusal. */
  private String legacyDeposit() {
    try (Connection legacy = connect(legacyUrl);
        var st = legacy.createStatement()) {
      legacy.setAutoCommit(false);
      st.execute(
          "insert into transactions (wallet_id, kind, amount, status_code, created_at, updated_at)"
              + " values (1, 'DEP', 1, 1, now(), now())");
      st.execute("update wallets set balance = balance + 1 where id = 1");
      legacy.commit();
      return "ok";
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  // --- helpers -----------------------------------------------------------------------------

  private JsonNode status(String job) {
    var reply = api.get("/v1/migrations/" + job);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  private ServiceProcess service(String name, String database, Map<String, String> extra) {
    var server = TestPostgres.server();
    Map<String, String> env = new HashMap<>(extra);
    env.put("TPW_PG_URL", server.jdbcUrl());
    env.put("TPW_PG_USER", server.user());
    env.put("TPW_PG_PASSWORD", server.password());
    env.put("TPW_KAFKA_BOOTSTRAP", TestKafka.bootstrapServers());
    env.put("TPW_POSTGRES_DATABASE", run + "_" + database);
    return new ServiceProcess(name, env);
  }

  /** The migration jar's legacy CLI ({@code ./tpw legacy ...}) as its own process. */
  private Process legacyCliProcess(String... args) throws IOException {
    var server = TestPostgres.server();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-Dloader.main=io.tpwallet.migration.legacy.LegacyCli",
                "-cp",
                ROOT.resolve("migration-service/target/migration-service-" + VERSION + ".jar")
                    .toString(),
                "org.springframework.boot.loader.launch.PropertiesLauncher"));
    command.addAll(List.of(args));
    command.addAll(
        List.of("--url", legacyUrl, "--user", server.user(), "--password", server.password()));
    return new ProcessBuilder(command)
        .redirectError(
            ProcessBuilder.Redirect.appendTo(
                ROOT.resolve("platform-e2e/target/e2e-logs/legacy-cli.log").toFile()))
        .start();
  }

  private String legacyCli(String... args) throws Exception {
    Process p = legacyCliProcess(args);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines()
        .filter(l -> l.startsWith("{"))
        .reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no JSON from the legacy CLI: " + out));
  }

  private static Connection connect(String url) throws SQLException {
    var server = TestPostgres.server();
    return DriverManager.getConnection(url, server.user(), server.password());
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    Instant until = Instant.now().plus(WAIT_MAX);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(until)) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      ServiceProcess.sleep(200);
    }
  }
}
