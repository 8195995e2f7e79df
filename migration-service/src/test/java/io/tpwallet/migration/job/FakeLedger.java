package io.tpwallet.migration.job;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ledger-service's account API as the runner uses it, in-process: opens accounts by id (201, then
 * 200 for the same body, 409 for another) and shows them with zero totals. {@code available =
 * false} makes it answer 503, as a ledger that is down behind a proxy does.
 */
final class FakeLedger implements AutoCloseable {

  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f-]{36})\"");

  final Map<UUID, String> accounts = new ConcurrentHashMap<>();
  final Map<UUID, Long> openedAtNanos = new ConcurrentHashMap<>();
  volatile boolean available = true;
  private final HttpServer server;

  FakeLedger() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext("/v1/ledger/accounts", this::handle);
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
      reply(
          exchange,
          200,
          "{\"id\":\"%s\",\"asset\":\"USD\",\"debitsPosted\":\"0\",\"creditsPosted\":\"0\",\"balance\":\"0\"}"
              .formatted(id));
    }
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
