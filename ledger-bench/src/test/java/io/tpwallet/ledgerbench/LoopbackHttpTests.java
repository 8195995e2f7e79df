package io.tpwallet.ledgerbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoopbackHttpTests {

  private HttpServer server;
  private final Set<InetSocketAddress> peers = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          peers.add(exchange.getRemoteAddress());
          byte[] request = exchange.getRequestBody().readAllBytes();
          String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
          byte[] answer =
              (new String(request, StandardCharsets.UTF_8) + "|" + key)
                  .getBytes(StandardCharsets.UTF_8);
          int status = exchange.getRequestURI().getPath().equals("/refuse") ? 422 : 201;
          // Length 0 makes the JDK server answer chunked; otherwise with Content-Length.
          boolean chunked = exchange.getRequestURI().getPath().equals("/chunked");
          exchange.sendResponseHeaders(status, chunked ? 0 : answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void readsFixedLengthAndChunkedAnswersOverOneKeptAliveConnection() throws IOException {
    try (LoopbackHttp http = new LoopbackHttp(url(), 5_000)) {
      for (int i = 0; i < 20; i++) {
        String path = i % 2 == 0 ? "/fixed" : "/chunked";
        LoopbackHttp.Answer answer = http.post(path, "{\"n\":" + i + "}", null);
        assertThat(answer.status()).isEqualTo(201);
        assertThat(answer.body()).isEqualTo("{\"n\":" + i + "}|null");
      }
      assertThat(http.post("/refuse", "{}", "k-1"))
          .isEqualTo(new LoopbackHttp.Answer(422, "{}|k-1"));
    }
    assertThat(peers).hasSize(1);
  }

  @Test
  void aServerGoneBetweenRequestsIsAnErrorNotAHang() throws IOException {
    try (LoopbackHttp http = new LoopbackHttp(url(), 5_000)) {
      assertThat(http.post("/fixed", "a", null).body()).isEqualTo("a|null");
      server.stop(0);
      assertThatThrownBy(() -> http.post("/fixed", "b", null)).isInstanceOf(IOException.class);
    }
  }
}
