package io.tpwallet.migration.job;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferRequested;
import io.tpwallet.common.event.TransfersAnswered;
import io.tpwallet.common.event.TransfersRequested;
import io.tpwallet.testkit.KafkaProbe;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * ledger-service's account API as the runner uses it, in-process: opens accounts by id (201, then
 * 200 for the same body, 409 for another) and shows their posted totals. {@code available = false}
 * makes it answer 503, as a ledger that is down behind a proxy does. {@link #post} makes it also
 * apply one job's TransferRequested commands from Kafka as the ledger does (each transfer id once)
 * and answer each with a POSTED answer; without it nothing is ever posted or answered. It sets and
 * clears the no-overdraft limit as the ledger's limits endpoint does, from its own totals.
 */
final class FakeLedger implements AutoCloseable {

  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f-]{36})\"");

  final Map<UUID, String> accounts = new ConcurrentHashMap<>();
  final Map<UUID, Long> openedAtNanos = new ConcurrentHashMap<>();
  private final Map<UUID, BigInteger> debits = new ConcurrentHashMap<>();
  private final Map<UUID, BigInteger> credits = new ConcurrentHashMap<>();
  volatile boolean available = true;

  /** Accounts holding the no-overdraft limit. */
  final Set<UUID> noOverdraft = ConcurrentHashMap.newKeySet();

  /** Accounts holding a flag that conflicts with the limit: the ledger answers CONFLICTING_FLAG. */
  final Set<UUID> conflicting = ConcurrentHashMap.newKeySet();

  /** Limits calls answered so far (each with its body), and the one to fail: see below. */
  final AtomicInteger limitCalls = new AtomicInteger();

  /**
   * The number of the limits call (counted by {@link #limitCalls}) that is applied but answered
   * 503, as a ledger behind a proxy that timed out; 0: none.
   */
  volatile int limitCallFailing;

  private final JsonMapper json = JsonMapper.builder().build();
  private final HttpServer server;

  FakeLedger() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext("/v1/ledger/accounts", this::handle);
    server.createContext("/v1/ledger/accounts/limits", this::limits);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!available) {
        reply(exchange, 503, "{\"title\":\"down\"}");
        return;
      }
      if (exchange.getRequestMethod().equals("POST")) {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = ID.matcher(body);
        if (!m.find()) {
          reply(exchange, 400, "{}");
          return;
        }
        UUID id = UUID.fromString(m.group(1));
        String before = accounts.putIfAbsent(id, body);
        openedAtNanos.putIfAbsent(id, System.nanoTime());
        reply(exchange, before == null ? 201 : before.equals(body) ? 200 : 409, body);
        return;
      }
      String path = exchange.getRequestURI().getPath();
      UUID id = UUID.fromString(path.substring(path.lastIndexOf('/') + 1));
      if (!accounts.containsKey(id)) {
        reply(exchange, 404, "{}");
        return;
      }
      BigInteger debit = debits.getOrDefault(id, BigInteger.ZERO);
      BigInteger credit = credits.getOrDefault(id, BigInteger.ZERO);
      reply(
          exchange,
          200,
          "{\"id\":\"%s\",\"asset\":\"USD\",\"debitsPosted\":\"%s\",\"creditsPosted\":\"%s\",\"balance\":\"%s\"}"
              .formatted(id, debit, credit, credit.subtract(debit)));
    }
  }

  /**
   * POST /v1/ledger/accounts/limits as ledger-service answers it: each account's result in request
   * order; OVERDRAWN (unchanged) when its debits exceed its credits; 400/422 for bad bodies.
   */
  private void limits(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!available) {
        reply(exchange, 503, "{\"title\":\"down\"}");
        return;
      }
      JsonNode body;
      try {
        body = json.readTree(exchange.getRequestBody().readAllBytes());
      } catch (RuntimeException e) {
        reply(exchange, 400, "{\"title\":\"malformed\"}");
        return;
      }
      JsonNode ids = body.path("accountIds");
      String reason = body.path("reason").asString("");
      Set<String> distinct = new HashSet<>();
      ids.forEach(id -> distinct.add(id.asString()));
      if (!"DEBITS_MUST_NOT_EXCEED_CREDITS".equals(body.path("limit").asString(""))
          || !body.path("set").isBoolean()
          || reason.isEmpty()
          || reason.length() > 256
          || !ids.isArray()
          || ids.isEmpty()
          || ids.size() > 1_000
          || distinct.size() != ids.size()) {
        reply(exchange, 422, "{\"title\":\"invalid\"}");
        return;
      }
      boolean set = body.path("set").asBoolean();
      StringBuilder results = new StringBuilder("{\"results\":[");
      for (JsonNode node : ids) {
        UUID id = UUID.fromString(node.asString());
        String result;
        if (!accounts.containsKey(id)) {
          result = "NOT_FOUND";
        } else if (set && conflicting.contains(id)) {
          result = "CONFLICTING_FLAG";
        } else if (set) {
          boolean overdrawn =
              debits
                      .getOrDefault(id, BigInteger.ZERO)
                      .compareTo(credits.getOrDefault(id, BigInteger.ZERO))
                  > 0;
          result = noOverdraft.contains(id) ? "ALREADY_SET" : overdrawn ? "OVERDRAWN" : "SET";
          if (result.equals("SET")) {
            noOverdraft.add(id);
          }
        } else {
          result = noOverdraft.remove(id) ? "CLEARED" : "ALREADY_CLEAR";
        }
        if (results.charAt(results.length() - 1) != '[') {
          results.append(',');
        }
        results.append("{\"accountId\":\"%s\",\"result\":\"%s\"}".formatted(id, result));
      }
      int call = limitCalls.incrementAndGet();
      if (call == limitCallFailing) {
        reply(exchange, 503, "{\"title\":\"upstream timed out\"}");
        return;
      }
      reply(exchange, 200, results.append("]}").toString());
    }
  }

  /** The account's posted balance, credits minus debits. */
  BigInteger balance(UUID account) {
    return credits
        .getOrDefault(account, BigInteger.ZERO)
        .subtract(debits.getOrDefault(account, BigInteger.ZERO));
  }

  /**
   * Credits (a negative amount debits) an account as a transfer made in the ledger directly,
   * outside the migration, would: a drift the migration did not cause.
   */
  void postDirectly(UUID account, BigInteger amount) {
    if (amount.signum() >= 0) {
      credits.merge(account, amount, BigInteger::add);
    } else {
      debits.merge(account, amount.negate(), BigInteger::add);
    }
  }

  /**
   * Posts the job's transfers as they come on Kafka, each id once, and answers each batched command
   * with its transfers POSTED, until the returned handle is closed.
   */
  AutoCloseable post(UUID job, Envelope envelope) {
    String key = CommandKeys.prefix(job);
    Set<UUID> posted = new HashSet<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread poster =
        new Thread(
            () -> {
              try (var kafka = new KafkaProbe(Topics.LEDGER_TRANSFERS_REQUESTED)) {
                while (!stop.get()) {
                  for (var record :
                      kafka.all(
                          r -> r.key() != null && r.key().startsWith(key),
                          Duration.ofMillis(200))) {
                    var batch =
                        envelope.data(
                            Envelope.deserialize(record.value()), TransfersRequested.class);
                    List<TransfersAnswered.Answer> answers = new ArrayList<>();
                    for (TransferRequested t : batch.transfers()) {
                      if (posted.add(t.transferId())) {
                        BigInteger amount = new BigInteger(t.amount());
                        debits.merge(t.debitAccountId(), amount, BigInteger::add);
                        credits.merge(t.creditAccountId(), amount, BigInteger::add);
                      }
                      answers.add(
                          new TransfersAnswered.Answer(
                              t.transferId(), t.reference(), TransfersAnswered.POSTED, ""));
                    }
                    kafka.send(
                        Topics.LEDGER_TRANSFERS_ANSWERED,
                        record.key(),
                        Envelope.serialize(
                            envelope.wrap(
                                Topics.typeOf(Topics.LEDGER_TRANSFERS_ANSWERED),
                                record.key(),
                                new TransfersAnswered(answers))));
                  }
                }
              }
            },
            "fake-ledger-poster");
    poster.setDaemon(true);
    poster.start();
    return () -> {
      stop.set(true);
      poster.join(5_000);
    };
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
