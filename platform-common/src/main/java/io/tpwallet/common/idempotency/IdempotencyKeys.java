package io.tpwallet.common.idempotency;

import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The server side of the IETF Idempotency-Key draft. A money-moving request stores its key, a hash
 * of the request and its answer in the same transaction as its effect. A retry with the same key
 * and request gets the stored answer; the same key with another request is refused with 422.
 */
public class IdempotencyKeys {

  /** Keys are opaque client strings; this bounds what is stored. */
  public static final int KEY_LENGTH_MAX = 255;

  private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7E]+");

  private final JdbcClient jdbc;

  public IdempotencyKeys(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** A stored answer. */
  public record Stored(int status, String body) {}

  /** Checks a client's key: present, printable ASCII, not too long. */
  public static String require(@Nullable String key) {
    if (key == null || key.isBlank()) {
      throw ProblemException.badRequest(
          ProblemTypes.IDEMPOTENCY_KEY_MISSING,
          "Idempotency-Key missing",
          "This request moves money and needs an Idempotency-Key header.");
    }
    if (key.length() > KEY_LENGTH_MAX || !PRINTABLE.matcher(key).matches()) {
      throw ProblemException.badRequest(
          ProblemTypes.VALIDATION,
          "Invalid Idempotency-Key",
          "The Idempotency-Key must be 1-" + KEY_LENGTH_MAX + " printable ASCII characters.");
    }
    return key;
  }

  public static byte[] hash(String canonicalRequest) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(canonicalRequest.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The stored answer for this key, if the same request was made with it before; a 422 problem if
   * the key came with another request.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public Optional<Stored> replay(String scope, String key, byte[] requestHash) {
    return jdbc.sql(
            "select request_hash, response_status, response_body from idempotency_key"
                + " where scope = ? and idem_key = ?")
        .params(scope, key)
        .query(
            (rs, i) -> {
              if (!Arrays.equals(rs.getBytes(1), requestHash)) {
                throw new ProblemException(
                    HttpStatus.UNPROCESSABLE_CONTENT,
                    ProblemTypes.IDEMPOTENCY_KEY_REUSED,
                    "Idempotency-Key reused",
                    "This Idempotency-Key was already used with a different request.");
              }
              return new Stored(rs.getInt(2), rs.getString(3));
            })
        .optional();
  }

  /**
   * Records the answer to a first request in the caller's transaction. If a concurrent request with
   * the same key committed first, the insert fails with a duplicate key and the caller's
   * transaction rolls back; the caller then replays.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public void store(String scope, String key, byte[] requestHash, Stored answer) {
    jdbc.sql(
            """
            insert into idempotency_key (scope, idem_key, request_hash, response_status, response_body)
            values (?, ?, ?, ?, ?)""")
        .params(scope, key, requestHash, answer.status(), answer.body())
        .update();
  }
}
