package io.tpwallet.ledgerbench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One closed-loop client's HTTP/1.1 connection: a blocking socket kept alive across requests, each
 * request written in one go and its answer read to its end (Content-Length or chunked). It spends
 * far less CPU per request than the JDK's HttpClient, whose selector thread hands every exchange
 * between threads: on a two-core machine whatever the driver burns is taken from the ledger and
 * PostgreSQL it measures. Not thread-safe: one per client thread. Opened again after an error. The
 * signing driver ({@code io.tpwallet.localstack.SigningLoad}) uses it too.
 */
public final class LoopbackHttp implements AutoCloseable {

  /** An answer: the status and the body as text. */
  public record Answer(int status, String body) {}

  private final String host;
  private final int port;
  private final int timeoutMillis;
  private @Nullable Socket socket;
  private @Nullable InputStream in;
  private @Nullable OutputStream out;

  public LoopbackHttp(String baseUrl, int timeoutMillis) {
    URI uri = URI.create(baseUrl);
    this.host = uri.getHost();
    this.port = uri.getPort();
    this.timeoutMillis = timeoutMillis;
  }

  /** POSTs a JSON body; on any I/O error the connection is dropped and the error thrown. */
  public Answer post(String path, String json, @Nullable String idempotencyKey) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    StringBuilder head =
        new StringBuilder(160)
            .append("POST ")
            .append(path)
            .append(" HTTP/1.1\r\nHost: ")
            .append(host)
            .append(':')
            .append(port)
            .append("\r\nContent-Type: application/json\r\nContent-Length: ")
            .append(body.length)
            .append("\r\n");
    if (idempotencyKey != null) {
      head.append("Idempotency-Key: ").append(idempotencyKey).append("\r\n");
    }
    head.append("\r\n");
    try {
      connect();
      OutputStream o = out;
      o.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      o.write(body);
      o.flush();
      return read();
    } catch (IOException | RuntimeException e) {
      close();
      throw e instanceof IOException io ? io : new IOException(e);
    }
  }

  private void connect() throws IOException {
    if (socket != null) {
      return;
    }
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.setSoTimeout(timeoutMillis);
    s.connect(new InetSocketAddress(host, port), timeoutMillis);
    socket = s;
    in = new BufferedInputStream(s.getInputStream(), 16384);
    out = s.getOutputStream();
  }

  private Answer read() throws IOException {
    String status = line();
    if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
      throw new IOException("not an HTTP/1.1 status line: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean closeAfter = false;
    for (String header = line(); !header.isEmpty(); header = line()) {
      String lower = header.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        closeAfter = true;
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream(256);
    if (chunked) {
      for (long size = Long.parseLong(chunkSize(line()), 16); size > 0; ) {
        copy(size, body);
        line();
        size = Long.parseLong(chunkSize(line()), 16);
      }
      for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
        // trailers are not used
      }
    } else if (length >= 0) {
      copy(length, body);
    } else {
      throw new IOException("an answer without Content-Length or chunked encoding");
    }
    if (closeAfter) {
      close();
    }
    return new Answer(code, body.toString(StandardCharsets.UTF_8));
  }

  private static String chunkSize(String line) {
    int semicolon = line.indexOf(';');
    return (semicolon < 0 ? line : line.substring(0, semicolon)).trim();
  }

  private void copy(long count, ByteArrayOutputStream to) throws IOException {
    byte[] buffer = new byte[8192];
    long left = count;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new IOException("connection closed inside an answer");
      }
      to.write(buffer, 0, n);
      left -= n;
    }
  }

  /** A header line without its CRLF. */
  private String line() throws IOException {
    StringBuilder line = new StringBuilder(64);
    for (int c = in.read(); ; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed by the server");
      }
      if (c == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r'
            ? line.substring(0, end - 1)
            : line.toString();
      }
      line.append((char) c);
    }
  }

  @Override
  public void close() {
    Socket s = socket;
    socket = null;
    in = null;
    out = null;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing a broken connection
      }
    }
  }
}
