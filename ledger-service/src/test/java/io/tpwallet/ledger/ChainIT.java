package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.common.id.Ids;
import io.tpwallet.ledger.account.Accounts;
import io.tpwallet.ledger.chain.ChainVerifier;
import io.tpwallet.ledger.chain.LedgerChain;
import io.tpwallet.ledger.chain.Verification;
import io.tpwallet.ledger.transfer.LedgerCommand;
import io.tpwallet.ledger.transfer.ResolveCommand;
import io.tpwallet.ledger.transfer.TransferCommand;
import io.tpwallet.ledger.transfer.TransferResult;
import io.tpwallet.ledger.transfer.TransferService;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.TestPostgres;
import java.io.File;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The hash chain: one link per committed batch, linear under concurrency, append-only, and a verify
 * (REST and CLI) that names exactly the batch whose rows were changed behind the triggers' back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ChainIT {

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "ledgerchain");
  }

  @LocalServerPort int port;
  @Autowired Accounts accounts;
  @Autowired TransferService transfers;
  @Autowired LedgerChain chain;
  @Autowired JdbcClient jdbc;
  @Autowired PlatformTransactionManager transactions;

  @Value("${spring.datasource.url}")
  String url;

  private final HttpClient http = HttpClient.newHttpClient();
  private final JsonMapper json = JsonMapper.builder().build();

  @Test
  void verifyNamesExactlyTheBatchWhoseTransferOrEntryWasChangedAndPassesOnceRestored()
      throws Exception {
    UUID issuance = open(false);
    UUID alice = open(true);
    UUID bob = open(true);
    long before = links();
    UUID funding = Ids.newId();
    UUID hold = Ids.newId();
    UUID post = Ids.newId();
    UUID pay1 = Ids.newId();
    assertOk(transfers.post(transfer(funding, issuance, alice, 1000)).result());
    assertOk(
        transfers
            .post(TransferCommand.hold(hold, alice, bob, BigInteger.valueOf(300), "USD", "h", 0))
            .result());
    assertOk(
        transfers.resolve(ResolveCommand.post(post, hold, BigInteger.valueOf(200), "p")).result());
    List<LedgerCommand> many = new ArrayList<>();
    many.add(transfer(pay1, alice, bob, 10));
    many.add(transfer(Ids.newId(), bob, alice, 5));
    many.add(transfer(Ids.newId(), alice, bob, 1_000_000)); // refused: not part of the batch's rows
    transfers.execute(many);
    // A batch that writes nothing (a replay and a refusal) adds no link.
    transfers.execute(List.of(transfer(funding, issuance, alice, 1000)));
    assertThat(links()).isEqualTo(before + 4);

    JsonNode ok = verifyOverRest();
    assertThat(ok.get("ok").asBoolean()).as(ok.toString()).isTrue();
    assertThat(ok.get("batches").asLong()).isEqualTo(links());
    assertThat(ok.get("headHash").asString()).hasSize(64);
    assertThat(cli().exit()).isZero();

    // Change the posted amount of the hold's post, as a superuser with the triggers off.
    long postSeq = seqOf(post);
    UUID postBatch = batchOf(post);
    tamper("update ledger_transfer set amount = amount + 1 where id = '" + post + "'");
    Verification broken = chain.verify();
    assertThat(broken.ok()).isFalse();
    assertThat(broken.brokenSeq()).isEqualTo(postSeq);
    assertThat(broken.brokenBatchId()).isEqualTo(postBatch);
    JsonNode rest = verifyOverRest();
    assertThat(rest.get("ok").asBoolean()).isFalse();
    assertThat(rest.get("brokenSeq").asLong()).isEqualTo(postSeq);
    Cli cli = cli();
    assertThat(cli.exit()).isEqualTo(1);
    assertThat(cli.out()).contains("\"brokenSeq\":" + postSeq);
    tamper("update ledger_transfer set amount = amount - 1 where id = '" + post + "'");
    assertThat(chain.verify().ok()).isTrue();

    // An entry of the later batch: the break is that batch, not the one before.
    long paySeq = seqOf(pay1);
    tamper(
        "update ledger_entry set amount = 11 where transfer_id = '"
            + pay1
            + "' and direction = 'C'");
    assertThat(chain.verify().brokenSeq()).isEqualTo(paySeq);
    tamper(
        "update ledger_entry set amount = 10 where transfer_id = '"
            + pay1
            + "' and direction = 'C'");
    assertThat(chain.verify().ok()).isTrue();

    // A link's hash rewritten: that link is the break.
    String hash =
        jdbc.sql("select encode(hash, 'hex') from ledger_chain where seq = ?")
            .param(postSeq)
            .query(String.class)
            .single();
    tamper("update ledger_chain set hash = sha256('x') where seq = " + postSeq);
    assertThat(chain.verify().brokenSeq()).isEqualTo(postSeq);
    // Restored, so that the other test of this class finds a whole chain in any order.
    tamper("update ledger_chain set hash = decode('" + hash + "', 'hex') where seq = " + postSeq);
    assertThat(chain.verify().ok()).isTrue();
  }

  @Test
  void concurrentBatchesMakeOneLinearChainAndTheChainIsAppendOnly() throws Exception {
    UUID issuance = open(false);
    List<UUID> wallets = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      wallets.add(open(true));
    }
    long before = links();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (UUID wallet : wallets) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 10; i++) {
                    // execute, not post: post would join concurrent singles into one group commit
                    // (one link per group); this test races 80 separate batch transactions.
                    assertOk(
                        transfers
                            .execute(List.of(transfer(Ids.newId(), issuance, wallet, 1)))
                            .get(0)
                            .result());
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(links()).isEqualTo(before + 80);
    // Gap-free and each link's prev_hash is the hash of the link before it.
    assertThat(
            jdbc.sql(
                    """
                    select count(*) from ledger_chain c join ledger_chain p on p.seq = c.seq - 1
                    where c.prev_hash <> p.hash""")
                .query(Long.class)
                .single())
        .isZero();
    assertThat(jdbc.sql("select max(seq) from ledger_chain").query(Long.class).single())
        .isEqualTo(links());
    // Reading links 3 at a time and rows in groups of at most 5 transfers gives the same answer.
    Verification whole = chain.verify();
    assertThat(whole.ok()).isTrue();
    assertThat(new ChainVerifier(jdbc, transactions, 3, 5).verify()).isEqualTo(whole);
    assertThatThrownBy(() -> jdbc.sql("update ledger_chain set entries = 0").update())
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> jdbc.sql("delete from ledger_chain").update())
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("append-only");
  }

  private static void assertOk(TransferResult result) {
    assertThat(result).isEqualTo(TransferResult.OK);
  }

  private static TransferCommand transfer(UUID id, UUID debit, UUID credit, long amount) {
    return new TransferCommand(id, debit, credit, BigInteger.valueOf(amount), "USD", "chain");
  }

  private long links() {
    return jdbc.sql("select count(*) from ledger_chain").query(Long.class).single();
  }

  private long seqOf(UUID transfer) {
    return jdbc.sql(
            """
            select c.seq from ledger_chain c join ledger_transfer t on t.batch_id = c.batch_id
            where t.id = ?""")
        .param(transfer)
        .query(Long.class)
        .single();
  }

  private UUID batchOf(UUID transfer) {
    return jdbc.sql("select batch_id from ledger_transfer where id = ?")
        .param(transfer)
        .query(UUID.class)
        .single();
  }

  /** Runs {@code sql} with triggers off: what a superuser (or an attacker with one) could do. */
  private void tamper(String sql) throws Exception {
    var server = TestPostgres.server();
    try (Connection c = DriverManager.getConnection(url, server.user(), server.password());
        var st = c.createStatement()) {
      st.execute("set session_replication_role = replica");
      assertThat(st.executeUpdate(sql)).isEqualTo(1);
    }
  }

  private JsonNode verifyOverRest() throws Exception {
    var response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/ledger/verify"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return json.readTree(response.body());
  }

  record Cli(int exit, String out) {}

  /** The documented CLI, run from the packaged jar against this test's database. */
  private Cli cli() throws Exception {
    File jar = new File("target/ledger-service-0.1.0-SNAPSHOT.jar");
    assertThat(jar).as("the packaged jar (ITs run after package)").exists();
    var server = TestPostgres.server();
    String database = url.substring(url.lastIndexOf('/') + 1);
    var builder =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                jar.getPath(),
                "-Dloader.main=io.tpwallet.ledger.chain.VerifyCli",
                "org.springframework.boot.loader.launch.PropertiesLauncher",
                "verify")
            .redirectErrorStream(true);
    builder.environment().put("TPW_PG_URL", server.jdbcUrl());
    builder.environment().put("TPW_PG_USER", server.user());
    builder.environment().put("TPW_PG_PASSWORD", server.password());
    builder.environment().put("TPW_LEDGER_DATABASE", database);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Cli(process.exitValue(), out);
  }

  private UUID open(boolean wallet) {
    return LedgerTestSupport.openUsd(accounts, wallet);
  }
}
