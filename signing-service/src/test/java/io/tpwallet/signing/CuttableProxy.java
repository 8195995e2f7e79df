package io.tpwallet.signing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An HTTP pass-through in front of one signer node that can drop the connection of requests to a
 * given path, as when the node dies between signing rounds: the caller gets no answer at all.
 */
final class CuttableProxy implements AutoCloseable {

  private final HttpServer server;
  private final String target;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final AtomicReference<String> cutPath = new AtomicReference<>();
  final AtomicInteger cut = new AtomicInteger();

  /** Requests seen per path, cut or passed on: how many exchanges the coordinator made. */
  final java.util.Map<String, AtomicInteger> seen = new java.util.concurrent.ConcurrentHashMap<>();

  private final AtomicReference<Runnable> onCut = new AtomicReference<>(() -> {});
  private final AtomicReference<String> rewritePath = new AtomicReference<>();
  private final AtomicReference<java.util.function.UnaryOperator<byte[]>> rewrite =
      new AtomicReference<>(b -> b);

  CuttableProxy(String target) throws IOException {
    this.target = target;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The next requests to {@code path} get their connection closed without an answer. */
  void cut(String path) {
    cut(path, () -> {});
  }

  /** As {@link #cut(String)}, running {@code first} (e.g. killing the node) before each cut. */
  void cut(String path, Runnable first) {
    onCut.set(first);
    cutPath.set(path);
  }

  /** Requests to {@code path} reach the node with their body changed, as by a rogue relay. */
  void rewrite(String path, java.util.function.UnaryOperator<byte[]> change) {
    rewrite.set(change);
    rewritePath.set(path);
  }

  int seen(String path) {
    AtomicInteger n = seen.get(path);
    return n == null ? 0 : n.get();
  }

  void heal() {
    cutPath.set(null);
    rewritePath.set(null);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (path.equals(rewritePath.get())) {
        body = rewrite.get().apply(body);
      }
      seen.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      if (path.equals(cutPath.get())) {
        cut.incrementAndGet();
        onCut.get().run();
        return; // closed without a status line: the node "died"
      }
      var builder =
          HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
              .timeout(Duration.ofSeconds(30))
              .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
      String type = exchange.getRequestHeaders().getFirst("Content-Type");
      if (type != null) {
        builder.header("Content-Type", type);
      }
      HttpResponse<byte[]> response =
          http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
      response
          .headers()
          .firstValue("Content-Type")
          .ifPresent(t -> exchange.getResponseHeaders().add("Content-Type", t));
      exchange.sendResponseHeaders(
          response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
      exchange.getResponseBody().write(response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
