package io.tpwallet.common.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies above a limit with 413, whether the client declared the length or streamed
 * the body chunked, before any of it reaches a controller.
 */
public class BodySizeLimitFilter extends OncePerRequestFilter {

  private final long bodyBytesMax;

  public BodySizeLimitFilter(long bodyBytesMax) {
    this.bodyBytesMax = bodyBytesMax;
  }

  /** Whether this failure (or one of its causes) is a body over the limit. */
  public static boolean isTooLarge(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BodyTooLargeException) {
        return true;
      }
    }
    return false;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getContentLengthLong() > bodyBytesMax) {
      response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
      response.setContentType("application/problem+json");
      response
          .getOutputStream()
          .write(
              ("{\"type\":\"https://tpwallet.io/problems/payload-too-large\","
                      + "\"title\":\"Payload too large\",\"status\":413,"
                      + "\"detail\":\"The request body is larger than "
                      + bodyBytesMax
                      + " bytes.\"}")
                  .getBytes(StandardCharsets.UTF_8));
      return;
    }
    chain.doFilter(new Limited(request, bodyBytesMax), response);
  }

  static final class BodyTooLargeException extends IOException {
    BodyTooLargeException(long limit) {
      super("request body larger than " + limit + " bytes");
    }
  }

  private static final class Limited extends HttpServletRequestWrapper {
    private final long limit;
    private ServletInputStream stream;

    Limited(HttpServletRequest request, long limit) {
      super(request);
      this.limit = limit;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new Counting(super.getInputStream(), limit);
      }
      return stream;
    }
  }

  private static final class Counting extends ServletInputStream {
    private final ServletInputStream in;
    private final long limit;
    private long count;

    Counting(ServletInputStream in, long limit) {
      this.in = in;
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        counted(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = in.read(buffer, offset, length);
      if (n > 0) {
        counted(n);
      }
      return n;
    }

    private void counted(int n) throws IOException {
      count += n;
      if (count > limit) {
        throw new BodyTooLargeException(limit);
      }
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }
  }
}
