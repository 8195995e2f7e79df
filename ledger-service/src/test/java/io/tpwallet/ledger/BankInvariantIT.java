package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.id.Ids;
import io.tpwallet.testkit.TestKafka;
import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bank invariant under faults: concurrent clients move money at random among wallets over REST
 * against the packaged ledger jar, run as its own process on a PostgreSQL of the test's own, while
 * the test kill -9s the ledger (and, in the other test, crashes PostgreSQL) and starts it again.
 * Every client retries a transfer with the same id until it gets a definite answer (201, 200 or a
 * 422 refusal), as the API asks. Afterwards the ledger must hold exactly the acknowledged
 * transfers, whole, with totals that match their entries, no wallet below zero, every asset summing
 * to zero and a chain that verifies. The seed is printed; replay with {@code
 * -Dledger.bank.seed=<seed>}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BankInvariantIT {

  private static final int WALLETS = 12;
  private static final int CLIENTS = 8;
  private static final long FUNDING = 10_000;
  private static final Duration READY = Duration.ofMinutes(2);
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(90);
  private static final String DATABASE = "bank_ledger";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final long seed = Long.getLong("ledger.bank.seed", System.nanoTime());
  private ScratchPostgres postgres;
  private Process ledger;
  private int port;
  private final List<UUID> wallets = new ArrayList<>();
  private UUID issuance;

  /** What the clients were told: acknowledged transfers, by id, and the ids refused. */
  private final Map<UUID, Acked> acked = new ConcurrentHashMap<>();

  private final Set<UUID> refused = ConcurrentHashMap.newKeySet();

  private record Acked(UUID debit, UUID credit, long amount) {}

  @BeforeAll
  void startLedgerOnItsOwnPostgres() throws Exception {
    System.out.println("BankInvariantIT seed " + seed + " (-Dledger.bank.seed=" + seed + ")");
    postgres = ScratchPostgres.start("bank-pg");
    port = freePort();
    startLedger();
    issuance = openAccount(false);
    for (int i = 0; i < WALLETS; i++) {
      UUID wallet = openAccount(true);
      wallets.add(wallet);
      UUID id = Ids.newId();
      assertThat(transfer(id, issuance, wallet, FUNDING)).isEqualTo(201);
      acked.put(id, new Acked(issuance, wallet, FUNDING));
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (ledger != null) {
      ledger.destroy();
      ledger.waitFor(30, TimeUnit.SECONDS);
      ledger.destroyForcibly();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void killingTheLedgerProcessLosesAndDuplicatesNothing() throws Exception {
    underLoad(
        () -> {
          ledger.destroyForcibly(); // SIGKILL: no shutdown hook, no drain
          ledger.waitFor();
          startLedger();
        });
    assertTheBankAddsUp();
  }

  @Test
  void restartingPostgresUnderLoadLosesAndDuplicatesNothing() throws Exception {
    underLoad(
        () -> {
          postgres.crash();
          sleep(1_500); // requests meet a database that is gone
          postgres.startAgain();
        });
    assertTheBankAddsUp();
  }

  /** Clients run before, during and after the fault; each ends with a definite answer. */
  private void underLoad(Fault fault) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger answered = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<Future<?>> clients = new ArrayList<>();
    try {
      for (int c = 0; c < CLIENTS; c++) {
        Random random = new Random(seed * 31 + c + acked.size());
        clients.add(pool.submit(() -> client(random, stop, answered)));
      }
      awaitAnswers(answered, 100);
      int before = answered.get();
      fault.inject();
      awaitReady();
      awaitAnswers(answered, answered.get() + 100);
      stop.set(true);
      for (Future<?> client : clients) {
        client.get(ANSWER_WITHIN.toSeconds() * 2, TimeUnit.SECONDS);
      }
      System.out.printf(
          "BankInvariantIT: %d answers before the fault, %d in all; %d acknowledged, %d refused%n",
          before, answered.get(), acked.size(), refused.size());
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  private Void client(Random random, AtomicBoolean stop, AtomicInteger answered) throws Exception {
    while (!stop.get()) {
      UUID debit = wallets.get(random.nextInt(WALLETS));
      UUID credit = wallets.get(random.nextInt(WALLETS));
      if (debit.equals(credit)) {
        continue;
      }
      // Up to half a wallet's funding, so that some transfers are refused for insufficient funds.
      long amount = 1 + random.nextInt((int) FUNDING / 2);
      UUID id = Ids.newId();
      Instant until = Instant.now().plus(ANSWER_WITHIN);
      while (true) {
        int status = transfer(id, debit, credit, amount);
        if (status == 201 || status == 200) {
          acked.put(id, new Acked(debit, credit, amount));
          break;
        }
        if (status == 422) {
          refused.add(id);
          break;
        }
        assertThat(status).as("transfer %s: not a retryable answer", id).isIn(-1, 500, 503);
        assertThat(Instant.now()).as("transfer %s answered in time", id).isBefore(until);
        sleep(50); // the same id again, as the API asks after an error
      }
      answered.incrementAndGet();
    }
    return null;
  }

  private void assertTheBankAddsUp() throws Exception {
    try (Connection c = postgres.connect(DATABASE)) {
      // Exactly the acknowledged transfers exist: no refused one, none the clients never heard of.
      Map<UUID, Acked> stored = new HashMap<>();
      try (ResultSet rs =
          c.createStatement()
              .executeQuery(
                  "select id, debit_account_id, credit_account_id, amount, kind from"
                      + " ledger_transfer")) {
        while (rs.next()) {
          assertThat(rs.getString("kind")).isEqualTo("SINGLE");
          Acked previous =
              stored.put(
                  rs.getObject(1, UUID.class),
                  new Acked(
                      rs.getObject(2, UUID.class),
                      rs.getObject(3, UUID.class),
                      rs.getBigDecimal(4).longValueExact()));
          assertThat(previous).as("transfer id stored once").isNull();
        }
      }
      assertThat(stored).isEqualTo(acked);
      assertThat(refused).doesNotContainAnyElementsOf(stored.keySet());

      // Each transfer has exactly its debit and its credit entry, and no entry is an orphan.
      assertThat(
              count(
                  c,
                  "select count(*) from ledger_transfer t where (select count(*) from ledger_entry"
                      + " e where e.transfer_id = t.id and e.amount = t.amount and ((e.direction ="
                      + " 'D' and e.account_id = t.debit_account_id) or (e.direction = 'C' and"
                      + " e.account_id = t.credit_account_id))) <> 2"))
          .as("transfers without exactly their two entries")
          .isZero();
      assertThat(
              count(
                  c,
                  "select count(*) from ledger_entry e where not exists (select 1 from"
                      + " ledger_transfer t where t.id = e.transfer_id)"))
          .as("entries without a transfer")
          .isZero();
      assertThat(count(c, "select count(*) from ledger_entry")).isEqualTo(2L * acked.size());

      // Account totals equal their entries; no pending amounts (no holds were made).
      assertThat(
              count(
                  c,
                  "select count(*) from ledger_account a where a.debits_posted <> coalesce((select"
                      + " sum(amount) from ledger_entry e where e.account_id = a.id and direction"
                      + " = 'D'), 0) or a.credits_posted <> coalesce((select sum(amount) from"
                      + " ledger_entry e where e.account_id = a.id and direction = 'C'), 0) or"
                      + " a.debits_pending <> 0 or a.credits_pending <> 0"))
          .as("accounts whose totals differ from their entries")
          .isZero();
      assertThat(
              count(
                  c,
                  "select count(*) from (select asset from ledger_account group by asset having"
                      + " sum(credits_posted - debits_posted) <> 0) unbalanced"))
          .as("assets whose balances do not sum to zero")
          .isZero();
      assertThat(
              count(
                  c,
                  "select count(*) from ledger_account where debits_must_not_exceed_credits and"
                      + " debits_posted + debits_pending > credits_posted"))
          .as("wallets past their limit")
          .isZero();
    }

    // Every wallet's balance is what the acknowledged transfers make it.
    Map<UUID, BigInteger> expected = new HashMap<>();
    acked
        .values()
        .forEach(
            t -> {
              expected.merge(t.debit(), BigInteger.valueOf(-t.amount()), BigInteger::add);
              expected.merge(t.credit(), BigInteger.valueOf(t.amount()), BigInteger::add);
            });
    Set<UUID> accounts = new HashSet<>(wallets);
    accounts.add(issuance);
    for (UUID account : accounts) {
      JsonNode a = get("/v1/ledger/accounts/" + account);
      assertThat(new BigInteger(a.get("balance").asString()))
          .as("balance of %s", account)
          .isEqualTo(expected.getOrDefault(account, BigInteger.ZERO));
    }

    JsonNode verify = get("/v1/ledger/verify");
    assertThat(verify.get("ok").asBoolean()).as(verify.toString()).isTrue();
    assertThat(verify.get("transfers").asLong()).isEqualTo(acked.size());
  }

  // --- the ledger process -------------------------------------------------------------------

  private void startLedger() throws IOException {
    File jar = new File("target/ledger-service-0.1.0-SNAPSHOT.jar");
    assertThat(jar).as("the packaged jar (ITs run after package)").exists();
    Path log = Path.of("target", "bank-invariant-ledger.log");
    var builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                jar.getPath())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("SERVER_PORT", Integer.toString(port));
    builder.environment().put("TPW_PG_URL", postgres.jdbcUrl("postgres"));
    builder.environment().put("TPW_PG_USER", "postgres");
    builder.environment().put("TPW_PG_PASSWORD", "");
    builder.environment().put("TPW_POSTGRES_DATABASE", DATABASE);
    builder.environment().put("TPW_KAFKA_BOOTSTRAP", TestKafka.bootstrapServers());
    ledger = builder.start();
    awaitReady();
  }

  /** Waits until the ledger answers its readiness probe (database and Kafka reachable). */
  private void awaitReady() {
    Instant until = Instant.now().plus(READY);
    while (Instant.now().isBefore(until)) {
      assertThat(ledger.isAlive()).as("ledger process alive; see target/*.log").isTrue();
      try {
        var response =
            HTTP.send(
                HttpRequest.newBuilder(uri("/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(250);
    }
    throw new AssertionError("ledger not ready within " + READY);
  }

  // --- HTTP ---------------------------------------------------------------------------------

  private UUID openAccount(boolean wallet) throws Exception {
    UUID id = Ids.newId();
    String flags = wallet ? "[\"DEBITS_MUST_NOT_EXCEED_CREDITS\"]" : "[]";
    var response =
        HTTP.send(
            post(
                "/v1/ledger/accounts",
                "{\"id\":\"%s\",\"asset\":\"USD\",\"code\":\"%s\",\"flags\":%s}"
                    .formatted(id, wallet ? "customer" : "issuance", flags)),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return id;
  }

  /** The HTTP status of posting the transfer, or -1 when no answer came (connection refused). */
  private int transfer(UUID id, UUID debit, UUID credit, long amount) {
    String body =
        "{\"id\":\"%s\",\"debitAccountId\":\"%s\",\"creditAccountId\":\"%s\",\"amount\":\"%d\",\"asset\":\"USD\",\"reference\":\"bank\"}"
            .formatted(id, debit, credit, amount);
    try {
      var response =
          HTTP.send(post("/v1/ledger/transfers", body), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 422) {
        assertThat(response.body()).as(id.toString()).contains("INSUFFICIENT_FUNDS");
      }
      return response.statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private HttpRequest post(String path, String body) {
    return HttpRequest.newBuilder(uri(path))
        .timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private JsonNode get(String path) throws Exception {
    var response =
        HTTP.send(
            HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static long count(Connection c, String sql) throws Exception {
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void awaitAnswers(AtomicInteger answered, int atLeast) {
    Instant until = Instant.now().plus(ANSWER_WITHIN);
    while (answered.get() < atLeast) {
      assertThat(Instant.now()).as("%d answers", atLeast).isBefore(until);
      sleep(20);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @FunctionalInterface
  private interface Fault {
    void inject() throws Exception;
  }
}
