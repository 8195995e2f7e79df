package io.tpwallet.ledger.idempotency;

import io.tpwallet.common.idempotency.IdempotencyKeys;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import io.tpwallet.common.web.BufferedRequest;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Idempotency-Key header of the IETF draft on the ledger's money-moving POSTs (transfers, post,
 * void, reverse, batches) and on the limit changes of accounts. Each of those is already idempotent
 * without it (the transfers' bodies carry caller-made ids; a limit change repeated answers
 * ALREADY_SET or ALREADY_CLEAR), so the header is optional there; when it is sent it is honoured
 * fully: the key is claimed before the request runs, a concurrent request with the key gets 409 (in
 * flight), a later one with the same method, path and body gets the stored answer replayed (with
 * {@code Idempotent-Replayed: true}), and one with another body gets 422 ({@code
 * /problems/idempotency-key-reused}). A 5xx answer (or a crash) releases the key so the client may
 * retry; a claim older than {@link #IN_FLIGHT_STALE} (its process died) may be taken over.
 *
 * <p>Ordered just before the last filter, the transfer POST's fast path (which must run inside it),
 * and after Spring's own filters (request context, metrics).
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE - 1)
public class IdempotencyFilter extends OncePerRequestFilter {

  static final String HEADER = "Idempotency-Key";

  /** A claim this old without an answer belongs to a request that died with its process. */
  static final Duration IN_FLIGHT_STALE = Duration.ofSeconds(60);

  private final JdbcClient jdbc;
  private final JsonMapper json;

  IdempotencyFilter(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * The POSTs that move money, and the one that changes accounts' limits (whether money may move);
   * account opening and reads are not covered.
   */
  static boolean movesMoney(String method, String path) {
    return "POST".equals(method)
        && (path.equals("/v1/ledger/transfers")
            || path.equals("/v1/ledger/batches")
            || path.equals("/v1/ledger/accounts/limits")
            || path.matches("/v1/ledger/transfers/[^/]+/(post|void|reverse)"));
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return request.getHeader(HEADER) == null
        || !movesMoney(request.getMethod(), request.getRequestURI());
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String key;
    try {
      key = IdempotencyKeys.require(request.getHeader(HEADER));
    } catch (ProblemException problem) {
      writeProblem(request, response, problem);
      return;
    }
    byte[] body = request.getInputStream().readAllBytes();
    byte[] hash = hash(request, body);
    Optional<ProblemException> refused = claim(key, hash, request, response);
    if (refused == null) {
      return; // replayed
    }
    if (refused.isPresent()) {
      writeProblem(request, response, refused.get());
      return;
    }
    var caching = new ContentCachingResponseWrapper(response);
    boolean completed = false;
    try {
      chain.doFilter(new BufferedRequest(request, body), caching);
      int status = caching.getStatus();
      if (status < 500) {
        jdbc.sql(
                "update ledger_idempotency set response_status = ?, content_type = ?,"
                    + " response_body = ?, completed_at = now() where idem_key = ?")
            .params(status, caching.getContentType(), caching.getContentAsByteArray(), key)
            .update();
        completed = true;
      }
    } finally {
      if (!completed) {
        jdbc.sql("delete from ledger_idempotency where idem_key = ? and response_status is null")
            .param(key)
            .update();
      }
      caching.copyBodyToResponse();
    }
  }

  /**
   * Claims the key for this request: empty when claimed (run it), a problem to answer with, or null
   * when the stored answer has been replayed.
   */
  private @Nullable Optional<ProblemException> claim(
      String key, byte[] hash, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    int claimed =
        jdbc.sql(
                "insert into ledger_idempotency (idem_key, request_hash) values (?, ?)"
                    + " on conflict (idem_key) do nothing")
            .params(key, hash)
            .update();
    if (claimed == 1) {
      return Optional.empty();
    }
    Optional<Claim> existing =
        jdbc.sql(
                "select request_hash, response_status, content_type, response_body,"
                    + " started_at < now() - make_interval(secs => ?) from ledger_idempotency"
                    + " where idem_key = ?")
            .params(IN_FLIGHT_STALE.toSeconds(), key)
            .query(
                (rs, i) ->
                    new Claim(
                        rs.getBytes(1),
                        (Integer) rs.getObject(2),
                        rs.getString(3),
                        rs.getBytes(4),
                        rs.getBoolean(5)))
            .optional();
    if (existing.isEmpty()) {
      // Released between our insert and select (the other request failed): try once more.
      return claim(key, hash, request, response);
    }
    Claim c = existing.get();
    if (!Arrays.equals(c.hash(), hash)) {
      return Optional.of(
          new ProblemException(
              HttpStatus.UNPROCESSABLE_CONTENT,
              ProblemTypes.IDEMPOTENCY_KEY_REUSED,
              "Idempotency-Key reused",
              "This Idempotency-Key was already used with a different request."));
    }
    Integer status = c.status();
    if (status == null) {
      if (c.stale()
          && jdbc.sql(
                      "update ledger_idempotency set started_at = now() where idem_key = ?"
                          + " and response_status is null"
                          + " and started_at < now() - make_interval(secs => ?)")
                  .params(key, IN_FLIGHT_STALE.toSeconds())
                  .update()
              == 1) {
        return Optional.empty();
      }
      return Optional.of(
          new ProblemException(
              HttpStatus.CONFLICT,
              ProblemTypes.IDEMPOTENCY_KEY_IN_FLIGHT,
              "Request in flight",
              "A request with this Idempotency-Key is still being processed; retry later."));
    }
    response.setStatus(status);
    if (c.contentType() != null) {
      response.setContentType(c.contentType());
    }
    response.setHeader("Idempotent-Replayed", "true");
    byte[] stored = c.body() == null ? new byte[0] : c.body();
    response.setContentLength(stored.length);
    response.getOutputStream().write(stored);
    return null;
  }

  private record Claim(
      byte[] hash,
      @Nullable Integer status,
      @Nullable String contentType,
      byte @Nullable [] body,
      boolean stale) {}

  private static byte[] hash(HttpServletRequest request, byte[] body) {
    return requestHash(request.getMethod(), request.getRequestURI(), body);
  }

  /** What a key is bound to: SHA-256 of method, path and the exact body bytes. */
  public static byte[] requestHash(String method, String path, byte[] body) {
    byte[] head = (method + " " + path + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] all = Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return IdempotencyKeys.hash(new String(all, StandardCharsets.ISO_8859_1));
  }

  private void writeProblem(
      HttpServletRequest request, HttpServletResponse response, ProblemException problem)
      throws IOException {
    response.setStatus(problem.status().value());
    response.setContentType("application/problem+json");
    response
        .getOutputStream()
        .write(
            json.writeValueAsBytes(problem.toProblemDetail(URI.create(request.getRequestURI()))));
  }
}
