package io.tpwallet.ledgerbench;

import io.tpwallet.common.id.Ids;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Drives a running ledger-service over loopback and prints transfers/s and p50/p99/p999 latency for
 * the three workloads of issue 3 (random pairs, one hot credit account, 8,189-event batches), then
 * runs {@code pgbench -b tpcb-like} at the same client count on the same PostgreSQL and prints
 * ours/pgbench. Every phase is bounded by a transfer count and by seconds.
 *
 * <p>Options ({@code --name value}): url, clients, accounts, seconds, warmup-seconds,
 * transfers-max, batch-clients, batches-max, pg-host, pg-port, pg-user, pgbench-scales,
 * pgbench-seconds, ledger-pid, postgres-pid, phases (a comma-separated subset of {@code
 * single,hot,batch}, all by default).
 */
public final class LedgerBench {

  /** The ledger's batch limit: TigerBeetle's 8,189 events. */
  static final int BATCH_EVENTS = 8189;

  private final Map<String, String> options;
  private final String url;
  private final int clients;

  /**
   * Whether requests carry an Idempotency-Key header. Off by default: every body carries its
   * transfer id, which is the ledger's idempotency key, and the optional header costs two more
   * autocommitted writes per request (the claim and the stored answer); on to measure that cost.
   */
  private final boolean idempotencyKeyHeader;

  private final HttpClient http;
  private final SplittableRandom seeds;

  private LedgerBench(Map<String, String> options) {
    this.options = options;
    this.url = option("url", "http://127.0.0.1:18082");
    this.clients = intOption("clients", 64);
    this.idempotencyKeyHeader = Boolean.parseBoolean(option("idempotency-key-header", "false"));
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(2))
            .build();
    long seed = Long.parseLong(option("seed", Long.toString(System.nanoTime())));
    System.out.println("seed " + seed);
    this.seeds = new SplittableRandom(seed);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("options are --name value, not " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    new LedgerBench(options).run();
    System.exit(0);
  }

  private String option(String name, String fallback) {
    return options.getOrDefault(name, fallback);
  }

  private int intOption(String name, int fallback) {
    return Integer.parseInt(option(name, Integer.toString(fallback)));
  }

  /** A phase's outcome: transfers answered OK, the wall time and each request's latency. */
  record Result(
      String name, long transfers, long refused, long errors, double seconds, Latencies latencies) {

    double perSecond() {
      return transfers / seconds;
    }

    String line() {
      return String.format(
          Locale.ROOT,
          "%-34s %9.0f transfers/s  (%d ok, %d refused, %d errors in %.1f s)  p50 %6.2f ms  p99"
              + " %7.2f ms  p999 %7.2f ms",
          name,
          perSecond(),
          transfers,
          refused,
          errors,
          seconds,
          latencies.percentile(50) / 1e6,
          latencies.percentile(99) / 1e6,
          latencies.percentile(99.9) / 1e6);
    }
  }

  private void run() throws Exception {
    int accountCount = intOption("accounts", 10_000);
    int seconds = intOption("seconds", 20);
    int warmup = intOption("warmup-seconds", 20);
    int transfersMax = intOption("transfers-max", 2_000_000);
    Cpu cpu = new Cpu(longOption("ledger-pid"), longOption("postgres-pid"));

    long t0 = System.nanoTime();
    List<UUID> accounts = openAccounts(accountCount);
    UUID hot = accounts.get(0);
    System.out.printf(
        Locale.ROOT,
        "opened %d accounts in %.1f s; clients %d; Idempotency-Key header %s; load %s%n",
        accounts.size(),
        (System.nanoTime() - t0) / 1e9,
        clients,
        idempotencyKeyHeader ? "on" : "off",
        Cpu.loadAverage());

    List<Result> results = new ArrayList<>();
    Supplier<Request> random = () -> single(accounts, null);
    Supplier<Request> hotCredit = () -> single(accounts, hot);
    Supplier<Request> batches = () -> batch(accounts);
    int batchClients = intOption("batch-clients", 2);
    int batchesMax = intOption("batches-max", 200);
    // "--phases batch" measures the batch path alone, warmed up by batches (the single path's
    // warm-up would not compile the batch path's code).
    List<String> phases = List.of(option("phases", "single,hot,batch").split(","));
    if (phases.contains("single") || phases.contains("hot")) {
      phase("warm-up (not counted)", clients, warmup, transfersMax, random, cpu);
    } else {
      phase("warm-up, batches (not counted)", batchClients, warmup, batchesMax, batches, cpu);
    }
    if (phases.contains("single")) {
      results.add(phase("1 single, random pairs", clients, seconds, transfersMax, random, cpu));
    }
    if (phases.contains("hot")) {
      results.add(
          phase(
              "2 single, one hot credit account", clients, seconds, transfersMax, hotCredit, cpu));
    }
    if (phases.contains("batch")) {
      results.add(
          phase("3 batch of " + BATCH_EVENTS, batchClients, seconds, batchesMax, batches, cpu));
    }

    Map<Integer, PgBench.Run> pgbench = new PgBench(options, clients).runAll();

    System.out.println();
    System.out.println("== ledger-bench summary (clients " + clients + ") ==");
    for (Result r : results) {
      System.out.println(r.line());
    }
    for (var e : pgbench.entrySet()) {
      System.out.printf(
          Locale.ROOT,
          "pgbench tpcb-like scale %-3d          %9.0f tps (latency avg %.2f ms)%n",
          e.getKey(),
          e.getValue().tps(),
          e.getValue().latencyAverageMs());
    }
    for (Result r : results) {
      for (var e : pgbench.entrySet()) {
        System.out.printf(
            Locale.ROOT,
            "ours/pgbench  %-34s / scale %-3d = %.2f%n",
            r.name(),
            e.getKey(),
            r.perSecond() / e.getValue().tps());
      }
    }
  }

  private long longOption(String name) {
    return Long.parseLong(option(name, "0"));
  }

  /** One HTTP request and how many transfers it carries. */
  record Request(String path, String body, int transfers) {}

  private Request single(List<UUID> accounts, UUID hotCredit) {
    SplittableRandom r = seeds.split();
    UUID debit = accounts.get(r.nextInt(accounts.size()));
    UUID credit = hotCredit != null ? hotCredit : accounts.get(r.nextInt(accounts.size()));
    while (credit.equals(debit)) {
      debit = accounts.get(r.nextInt(accounts.size()));
    }
    String body = "{" + transferFields(debit, credit, 1 + r.nextInt(1000)) + "}";
    return new Request("/v1/ledger/transfers", body, 1);
  }

  private Request batch(List<UUID> accounts) {
    SplittableRandom r = seeds.split();
    StringBuilder body = new StringBuilder(BATCH_EVENTS * 220).append("{\"events\":[");
    for (int i = 0; i < BATCH_EVENTS; i++) {
      UUID debit = accounts.get(r.nextInt(accounts.size()));
      UUID credit = accounts.get(r.nextInt(accounts.size()));
      while (credit.equals(debit)) {
        credit = accounts.get(r.nextInt(accounts.size()));
      }
      if (i > 0) {
        body.append(',');
      }
      body.append("{\"type\":\"TRANSFER\",")
          .append(transferFields(debit, credit, 1 + r.nextInt(1000)))
          .append('}');
    }
    return new Request("/v1/ledger/batches", body.append("]}").toString(), BATCH_EVENTS);
  }

  private static String transferFields(UUID debit, UUID credit, int amount) {
    return "\"id\":\""
        + Ids.newId()
        + "\",\"debitAccountId\":\""
        + debit
        + "\",\"creditAccountId\":\""
        + credit
        + "\",\"amount\":\""
        + amount
        + "\",\"asset\":\"USD\",\"reference\":\"bench\"";
  }

  private List<UUID> openAccounts(int n) throws Exception {
    List<UUID> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(Ids.newId());
    }
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new ArrayList<>();
      int slice = (n + clients - 1) / clients;
      for (int c = 0; c < clients; c++) {
        List<UUID> mine = ids.subList(Math.min(n, c * slice), Math.min(n, (c + 1) * slice));
        done.add(
            pool.submit(
                () -> {
                  for (UUID id : mine) {
                    // No limit flags: random transfers among the accounts never run out of funds,
                    // so every transfer is a full posting, not a refusal.
                    HttpResponse<String> response =
                        send(
                            "/v1/ledger/accounts",
                            "{\"id\":\"" + id + "\",\"asset\":\"USD\",\"code\":\"bench\"}",
                            id);
                    if (response.statusCode() != 201 && response.statusCode() != 200) {
                      throw new IllegalStateException(
                          "opening an account: " + response.statusCode() + " " + response.body());
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(10, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    return ids;
  }

  private HttpResponse<String> send(String path, String body, UUID key)
      throws IOException, InterruptedException {
    var request =
        HttpRequest.newBuilder(URI.create(url + path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (idempotencyKeyHeader) {
      request.header("Idempotency-Key", key.toString());
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Runs {@code threads} closed-loop clients until {@code seconds} pass or {@code requestsMax}
   * requests were sent, whichever is first.
   */
  private Result phase(
      String name, int threads, int seconds, int requestsMax, Supplier<Request> next, Cpu cpu)
      throws Exception {
    String loadBefore = Cpu.loadAverage();
    Cpu.Sample before = cpu.sample();
    AtomicLong budget = new AtomicLong(requestsMax);
    AtomicLong ok = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Latencies>> parts = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      parts.add(
          pool.submit(
              () -> {
                Latencies mine = new Latencies(requestsMax);
                try (LoopbackHttp connection = new LoopbackHttp(url, 60_000)) {
                  while (System.nanoTime() < deadline && budget.getAndDecrement() > 0) {
                    Request request = next.get();
                    long sent = System.nanoTime();
                    LoopbackHttp.Answer response;
                    try {
                      response =
                          connection.post(
                              request.path(),
                              request.body(),
                              idempotencyKeyHeader ? Ids.newId().toString() : null);
                    } catch (IOException e) {
                      errors.incrementAndGet();
                      continue;
                    }
                    mine.record(System.nanoTime() - sent);
                    count(request, response, ok, refused, errors);
                  }
                }
                return mine;
              }));
    }
    List<Latencies> all = new ArrayList<>();
    for (Future<Latencies> f : parts) {
      all.add(f.get(seconds + 300L, TimeUnit.SECONDS));
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    pool.shutdownNow();
    Result result =
        new Result(name, ok.get(), refused.get(), errors.get(), elapsed, Latencies.merge(all));
    System.out.println(result.line());
    System.out.println(
        "   load before "
            + loadBefore
            + ", after "
            + Cpu.loadAverage()
            + "; "
            + cpu.sample().since(before, elapsed));
    return result;
  }

  /** Counts an answer: 201/200 applied (all, or what a batch says), 422 refused, else an error. */
  private static void count(
      Request request,
      LoopbackHttp.Answer response,
      AtomicLong ok,
      AtomicLong refused,
      AtomicLong errors) {
    int status = response.status();
    if (status == 201 || status == 200) {
      long applied = okTransfers(request, response.body());
      ok.addAndGet(applied);
      refused.addAndGet(request.transfers() - applied);
    } else if (status == 422) {
      refused.addAndGet(request.transfers());
    } else {
      errors.incrementAndGet();
    }
  }

  /** A single transfer is OK when answered 201/200; a batch says how many of its events applied. */
  private static long okTransfers(Request request, String body) {
    if (request.transfers() == 1) {
      return 1;
    }
    int at = body.indexOf("\"applied\":");
    if (at < 0) {
      return 0;
    }
    int end = at + "\"applied\":".length();
    int stop = end;
    while (stop < body.length() && Character.isDigit(body.charAt(stop))) {
      stop++;
    }
    return Long.parseLong(body.substring(end, stop));
  }
}
