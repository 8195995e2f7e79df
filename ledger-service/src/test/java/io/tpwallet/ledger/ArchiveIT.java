package io.tpwallet.ledger;

import static io.tpwallet.ledger.LedgerTestSupport.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.id.Ids;
import io.tpwallet.ledger.account.Accounts;
import io.tpwallet.ledger.chain.LedgerChain;
import io.tpwallet.ledger.chain.Verification;
import io.tpwallet.ledger.transfer.Posting;
import io.tpwallet.ledger.transfer.TransferCommand;
import io.tpwallet.ledger.transfer.TransferResult;
import io.tpwallet.ledger.transfer.TransferService;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.SettableClock;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Monthly partitions, archive and restore of cold months: transfers in several past months
 * (imported history, and a hold placed with the ledger's clock set back), archived oldest first and
 * restored newest first, with every refusal answered as a problem and changing nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ArchiveIT {

  private static final Path DIR = createTempDir();

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "ledgerarchive");
    registry.add("tpw.ledger.archive.dir", DIR::toString);
    registry.add("tpw.ledger.archive.min-age-months", () -> "3");
  }

  @TestConfiguration
  static class Clocks {
    @Bean
    SettableClock clock() {
      // The ledger's clock, set back while a hold is placed in a past month.
      return SettableClock.system();
    }
  }

  @LocalServerPort int port;
  @Autowired Accounts accounts;
  @Autowired TransferService transfers;
  @Autowired LedgerChain chain;
  @Autowired JdbcClient jdbc;
  @Autowired SettableClock clock;

  @org.springframework.beans.factory.annotation.Value("${spring.datasource.url}")
  String url;

  @Test
  void coldMonthsAreArchivedAndRestoredAndEveryRefusalChangesNothing() throws Exception {
    UUID issuance = LedgerTestSupport.openUsd(accounts, false);
    UUID alice = LedgerTestSupport.openUsd(accounts, true);
    UUID bob = LedgerTestSupport.openUsd(accounts, true);
    UUID t1 = Ids.newId();
    ok(imported(t1, issuance, alice, 1000, "2025-01-10T08:00:00.123456Z", "L-1"));
    ok(imported(Ids.newId(), alice, bob, 100, "2025-01-20T00:00:00Z", "L-2"));
    ok(imported(Ids.newId(), alice, bob, 50, "2025-02-03T00:00:00Z", "L-3"));
    ok(imported(Ids.newId(), issuance, bob, 7, "2025-03-31T23:59:59.999999Z", "L-4"));
    // A hold placed in April 2025 (the ledger's clock set back) and never resolved.
    clock.set(Instant.parse("2025-04-15T12:00:00Z"));
    try {
      Posting hold =
          transfers
              .execute(
                  List.of(
                      TransferCommand.hold(
                          Ids.newId(), issuance, alice, BigInteger.valueOf(5), "USD", "hold", 0)))
              .get(0);
      assertThat(hold.result()).isEqualTo(TransferResult.OK);
    } finally {
      clock.release();
    }
    // Live traffic this month.
    ok(new TransferCommand(Ids.newId(), bob, alice, BigInteger.TWO, "USD", "live"));

    assertThat(partitionExists("ledger_transfer_y2025m01")).isTrue();
    assertThat(partitionExists("ledger_entry_y2025m04")).isTrue();
    Map<UUID, String> balances = accountTotals(issuance, alice, bob);
    List<String> january = rows("ledger_transfer", "2025-01-01", "2025-02-01");
    List<String> januaryEntries = rows("ledger_entry", "2025-01-01", "2025-02-01");
    assertThat(january).hasSize(2);
    assertThat(januaryEntries).hasSize(4);
    String current = java.time.YearMonth.now(ZoneOffset.UTC).toString();
    String tooRecent = java.time.YearMonth.now(ZoneOffset.UTC).minusMonths(3).toString();

    // Refusals: each a problem, and nothing changed.
    refused(archive("{\"month\":\"" + current + "\"}"), 422, "archive-month-too-recent");
    refused(archive("{\"month\":\"" + tooRecent + "\"}"), 422, "archive-month-too-recent");
    refused(archive("{\"month\":\"2024-06\"}"), 404, "archive-month-not-found");
    refused(archive("{\"month\":\"2025-13\"}"), 400, "validation");
    refused(archive("{\"month\":\"January\"}"), 400, "validation");
    refused(archive("{}"), 400, "validation");
    refused(archive("not json"), 400, "malformed-request");
    refused(archive("{\"month\":\"2025-02\"}"), 409, "archive-out-of-order");
    refused(restore("2025-01"), 404, "archive-not-found");
    refused(restore("2025-1"), 400, "validation");
    assertThat(partitionExists("ledger_transfer_y2025m01")).isTrue();
    assertThat(body(get("/v1/ledger/archives")).get("archives")).isEmpty();
    assertThat(rows("ledger_transfer", "2025-01-01", "2025-02-01")).isEqualTo(january);
    assertThat(chain.verify().ok()).isTrue();

    // January archived: files written and indexed, partitions gone, balances unchanged.
    var archived = archive("{\"month\":\"2025-01\"}");
    assertThat(archived.statusCode()).as(archived.body()).isEqualTo(201);
    JsonNode index = body(archived);
    assertThat(index.get("month").asString()).isEqualTo("2025-01");
    assertThat(index.get("transfers").asLong()).isEqualTo(2);
    assertThat(index.get("entries").asLong()).isEqualTo(4);
    assertThat(index.get("firstCreatedAt").asString()).isEqualTo("2025-01-10T08:00:00.123456Z");
    Path januaryFile = Path.of(index.get("transfersFile").asString());
    assertThat(januaryFile).exists().hasParent(DIR);
    assertThat(index.get("transfersSha256").asString()).hasSize(64);
    assertThat(partitionExists("ledger_transfer_y2025m01")).isFalse();
    assertThat(partitionExists("ledger_entry_y2025m01")).isFalse();
    assertThat(accountTotals(issuance, alice, bob)).isEqualTo(balances);
    refused(archive("{\"month\":\"2025-01\"}"), 409, "archive-exists");

    // Queries say when they reach the archived month.
    JsonNode aliceTransfers = body(get("/v1/ledger/transfers?accountId=" + alice));
    assertThat(strings(aliceTransfers.get("archived"))).containsExactly("2025-01");
    assertThat(aliceTransfers.get("transfers")).hasSize(3); // February, the hold, the live one
    JsonNode fromFebruary =
        body(get("/v1/ledger/transfers?accountId=" + alice + "&from=2025-02-01T00:00:00Z"));
    assertThat(strings(fromFebruary.get("archived"))).isEmpty();
    JsonNode inJanuary =
        body(get("/v1/ledger/accounts/" + alice + "/balance?at=2025-01-15T00:00:00Z"));
    assertThat(strings(inJanuary.get("archived"))).containsExactly("2025-01");
    assertThat(inJanuary.get("complete").asBoolean()).isFalse();
    // After January the archive index's totals count: the same balance as before the archive.
    JsonNode afterJanuary =
        body(get("/v1/ledger/accounts/" + alice + "/balance?at=2025-03-01T00:00:00Z"));
    assertThat(afterJanuary.get("balance").asString()).isEqualTo("850");
    assertThat(afterJanuary.get("complete").asBoolean()).isTrue();
    JsonNode statement =
        body(get("/v1/ledger/accounts/" + bob + "/statement?from=2025-01-01T00:00:00Z"));
    assertThat(strings(statement.get("archived"))).containsExactly("2025-01");
    JsonNode fromMarch =
        body(get("/v1/ledger/accounts/" + bob + "/statement?from=2025-03-01T00:00:00Z"));
    assertThat(strings(fromMarch.get("archived"))).isEmpty();
    assertThat(fromMarch.get("openingBalance").asString()).isEqualTo("150");
    JsonNode verify = body(get("/v1/ledger/verify"));
    assertThat(verify.get("ok").asBoolean()).as(verify.toString()).isTrue();
    assertThat(strings(verify.get("archivedMonths"))).containsExactly("2025-01");
    assertThat(verify.get("archivedTransfers").asLong()).isEqualTo(2);
    assertThat(verify.get("archivedEntries").asLong()).isEqualTo(4);

    // Nothing is written into an archived month: an import into it is refused with its own code,
    // and a replay of a January transfer says the transfer is archived, instead of failing the
    // batch or posting it a second time.
    List<Posting> intoArchived =
        transfers.execute(
            List.of(
                imported(Ids.newId(), issuance, bob, 1, "2025-01-25T00:00:00Z", "L-5"),
                imported(t1, issuance, alice, 1000, "2025-01-10T08:00:00.123456Z", "L-1")));
    assertThat(intoArchived)
        .extracting(Posting::result)
        .containsExactly(
            TransferResult.IMPORTED_INTO_ARCHIVED_MONTH, TransferResult.TRANSFER_ARCHIVED);
    assertThat(intoArchived.get(1).detail()).contains(t1.toString()).contains("archived");
    HttpResponse<String> overRest =
        LedgerTestSupport.post(
            port,
            "/v1/ledger/transfers",
            "{\"id\":\""
                + Ids.newId()
                + "\",\"debitAccountId\":\""
                + issuance
                + "\",\"creditAccountId\":\""
                + bob
                + "\",\"amount\":\"1\",\"asset\":\"USD\","
                + "\"importedAt\":\"2025-01-26T00:00:00Z\",\"legacyRef\":\"L-7\"}");
    refused(overRest, 422, "imported-into-archived-month");
    HttpResponse<String> archivedRead = get("/v1/ledger/transfers/" + t1);
    refused(archivedRead, 404, "transfer-archived");
    assertThat(body(archivedRead).get("archivedMonth").asString()).isEqualTo("2025-01");
    refused(get("/v1/ledger/transfers/" + Ids.newId()), 404, "not-found");
    assertThat(accountTotals(issuance, alice, bob)).isEqualTo(balances);

    // February and March follow; April has an open hold.
    // February by the documented CLI from the packaged jar, without the service.
    Cli february = cli("archive", "2025-02");
    assertThat(february.exit()).as(february.out()).isZero();
    assertThat(february.out()).contains("\"month\":\"2025-02\"").contains("\"transfers\":1");
    Cli again = cli("archive", "2025-02");
    assertThat(again.exit()).as(again.out()).isEqualTo(1);
    assertThat(again.out()).contains("https://tpwallet.io/problems/archive-exists");
    assertThat(cli("restore", "2025-13").exit()).isEqualTo(1);
    assertThat(partitionExists("ledger_transfer_y2025m02")).isFalse();
    assertThat(archive("{\"month\":\"2025-03\"}").statusCode()).isEqualTo(201);
    refused(archive("{\"month\":\"2025-04\"}"), 409, "archive-open-holds");
    assertThat(partitionExists("ledger_transfer_y2025m04")).isTrue();
    JsonNode list = body(get("/v1/ledger/archives"));
    assertThat(list.get("archives")).hasSize(3);
    assertThat(body(get("/v1/ledger/verify")).get("ok").asBoolean()).isTrue();
    refused(restore("2025-01"), 409, "archive-out-of-order");

    // A corrupted file: restore refused, nothing changed.
    Path march = Path.of(body(get("/v1/ledger/archives/2025-03")).get("transfersFile").asString());
    byte[] good = Files.readAllBytes(march);
    byte[] bad = good.clone();
    bad[bad.length / 2] ^= 0x01;
    Files.write(march, bad);
    refused(restore("2025-03"), 409, "archive-corrupt");
    assertThat(partitionExists("ledger_transfer_y2025m03")).isFalse();
    assertThat(body(get("/v1/ledger/archives")).get("archives")).hasSize(3);
    Files.write(march, good);

    // Restored newest first: rows identical, chain verifies without the archive.
    for (String month : List.of("2025-03", "2025-02", "2025-01")) {
      var restored = restore(month);
      assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
      assertThat(body(restored).get("verification").get("ok").asBoolean()).isTrue();
    }
    assertThat(rows("ledger_transfer", "2025-01-01", "2025-02-01")).isEqualTo(january);
    assertThat(rows("ledger_entry", "2025-01-01", "2025-02-01")).isEqualTo(januaryEntries);
    assertThat(accountTotals(issuance, alice, bob)).isEqualTo(balances);
    assertThat(body(get("/v1/ledger/transfers/" + t1)).get("amount").asString()).isEqualTo("1000");
    assertThat(strings(body(get("/v1/ledger/transfers?accountId=" + alice)).get("archived")))
        .isEmpty();
    Verification v = chain.verify();
    assertThat(v.ok()).as(v.toString()).isTrue();
    assertThat(v.archivedMonths()).isEmpty();
    assertThat(v.transfers()).isEqualTo(6);
    // A replay of a restored transfer is a replay again.
    assertThat(
            transfers
                .execute(
                    List.of(
                        imported(t1, issuance, alice, 1000, "2025-01-10T08:00:00.123456Z", "L-1")))
                .get(0)
                .result())
        .isEqualTo(TransferResult.EXISTS);
  }

  record Cli(int exit, String out) {}

  /** The archive CLI, run from the packaged jar against this test's database and directory. */
  private Cli cli(String... args) throws Exception {
    var jar = new java.io.File("target/ledger-service-0.1.0-SNAPSHOT.jar");
    assertThat(jar).as("the packaged jar (ITs run after package)").exists();
    var server = io.tpwallet.testkit.TestPostgres.server();
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                jar.getPath(),
                "-Dloader.main=io.tpwallet.ledger.archive.ArchiveCli",
                "org.springframework.boot.loader.launch.PropertiesLauncher"));
    command.addAll(List.of(args));
    var builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("TPW_PG_URL", server.jdbcUrl());
    builder.environment().put("TPW_PG_USER", server.user());
    builder.environment().put("TPW_PG_PASSWORD", server.password());
    builder.environment().put("TPW_LEDGER_DATABASE", url.substring(url.lastIndexOf('/') + 1));
    builder.environment().put("TPW_LEDGER_ARCHIVE_DIR", DIR.toString());
    Process process = builder.start();
    String out =
        new String(
            process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return new Cli(process.exitValue(), out);
  }

  private void ok(TransferCommand command) {
    assertThat(transfers.execute(List.of(command)).get(0).result()).isEqualTo(TransferResult.OK);
  }

  private static TransferCommand imported(
      UUID id, UUID debit, UUID credit, long amount, String at, String legacyRef) {
    return TransferCommand.imported(
        id,
        debit,
        credit,
        BigInteger.valueOf(amount),
        "USD",
        "legacy",
        Instant.parse(at),
        legacyRef);
  }

  private boolean partitionExists(String name) {
    return jdbc.sql("select to_regclass(?) is not null").param(name).query(Boolean.class).single();
  }

  private List<String> rows(String table, String from, String to) {
    return jdbc.sql(
            "select row_to_json(t)::text from "
                + table
                + " t where created_at >= ?::timestamptz and created_at < ?::timestamptz order by id")
        .params(from + "T00:00:00Z", to + "T00:00:00Z")
        .query(String.class)
        .list();
  }

  private Map<UUID, String> accountTotals(UUID... ids) throws Exception {
    Map<UUID, String> totals = new java.util.HashMap<>();
    for (UUID id : ids) {
      JsonNode a = body(get("/v1/ledger/accounts/" + id));
      totals.put(
          id,
          a.get("debitsPosted").asString()
              + "/"
              + a.get("creditsPosted").asString()
              + "/"
              + a.get("debitsPending").asString()
              + "/"
              + a.get("creditsPending").asString());
    }
    return totals;
  }

  private static void refused(HttpResponse<String> response, int status, String type) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    assertThat(body(response).get("type").asString())
        .isEqualTo("https://tpwallet.io/problems/" + type);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asString()));
    return out;
  }

  private HttpResponse<String> archive(String body) throws Exception {
    return LedgerTestSupport.post(port, "/v1/ledger/archives", body);
  }

  private HttpResponse<String> restore(String month) throws Exception {
    return LedgerTestSupport.post(port, "/v1/ledger/archives/" + month + "/restore", "");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return LedgerTestSupport.get(port, path);
  }

  private static Path createTempDir() {
    try {
      return Files.createTempDirectory("tpw-ledger-archive-it");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
