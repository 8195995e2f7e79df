package io.tpwallet.migration.ledger;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * How long the cutover's limits step takes on the runner's side for N wallet accounts, against an
 * in-process ledger stand-in that answers each chunk after a fixed commit time (the ledger's own
 * cost per 1,000 accounts, measured by ledger-service's bench). Prints one line per run; not a
 * test.
 *
 * <p>{@code java -cp <test classpath> io.tpwallet.migration.ledger.LimitsBench [ACCOUNTS]
 * [CHUNK_COMMIT_MS] [RUNS]}
 */
public final class LimitsBench {

  private static final Pattern ID = Pattern.compile("\"([0-9a-f-]{36})\"");

  private LimitsBench() {}

  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    long commitMs = args.length > 1 ? Long.parseLong(args[1]) : 0;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger inFlightMax = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    ExecutorService handlers = Executors.newFixedThreadPool(16);
    server.setExecutor(handlers);
    server.createContext(
        "/v1/ledger/accounts/limits",
        exchange -> {
          try (exchange) {
            inFlightMax.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            String body =
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            StringBuilder out = new StringBuilder("{\"results\":[");
            Matcher m = ID.matcher(body);
            boolean first = true;
            while (m.find()) {
              out.append(first ? "" : ",")
                  .append("{\"accountId\":\"")
                  .append(m.group(1))
                  .append("\",\"result\":\"SET\"}");
              first = false;
            }
            sleep(commitMs);
            byte[] bytes = out.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            inFlight.decrementAndGet();
          }
        });
    server.start();
    try {
      var limits =
          new LedgerLimits(
              new LedgerClient(
                  "http://127.0.0.1:" + server.getAddress().getPort(),
                  JsonMapper.builder().build()));
      List<UUID> ids = new ArrayList<>(accounts);
      for (int i = 0; i < accounts; i++) {
        ids.add(UUID.randomUUID());
      }
      for (int run = 1; run <= runs; run++) {
        long started = System.nanoTime();
        int answered = limits.apply(ids, true, "bench").size();
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.printf(
            "run %d: %d accounts limited in %d ms (%d calls of %d, %d at a time, ledger commit %d ms"
                + " a call)%n",
            run,
            answered,
            ms,
            (accounts + LedgerClient.LIMIT_ACCOUNTS_MAX - 1) / LedgerClient.LIMIT_ACCOUNTS_MAX,
            LedgerClient.LIMIT_ACCOUNTS_MAX,
            inFlightMax.get(),
            commitMs);
      }
    } finally {
      server.stop(0);
      handlers.shutdownNow(); // its threads are not daemons: left running, the JVM never exits
    }
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
