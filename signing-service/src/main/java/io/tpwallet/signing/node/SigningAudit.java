package io.tpwallet.signing.node;

import io.tpwallet.signing.wire.Wire;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The node's append-only record of every signing decision, with the reason for a refusal. */
@Repository
@Profile("signer")
public class SigningAudit {

  /** One decision as recorded. */
  public record Entry(
      String keyId, @Nullable String requestId, String decision, @Nullable String reason) {}

  /** The reason a SIGNED row carries when its payout was already in the day total. */
  static final String COUNTED_BEFORE = "same request and message signed before: counted once";

  private static final String INSERT =
      """
      insert into signing_audit (at, key_id, session_id, request_id, asset, amount,
        destination, message_sha256, decision, reason)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

  private static final int[] INSERT_TYPES = {
    Types.TIMESTAMP,
    Types.VARCHAR,
    Types.VARCHAR,
    Types.VARCHAR,
    Types.VARCHAR,
    Types.NUMERIC,
    Types.VARCHAR,
    Types.BINARY,
    Types.VARCHAR,
    Types.VARCHAR
  };

  /** One decision to be recorded in the caller's transaction. */
  record Row(
      String keyId,
      String sessionId,
      Wire.@Nullable PolicyContext context,
      byte[] messageSha256,
      String decision,
      @Nullable String reason) {}

  private final JdbcClient jdbc;
  private final JdbcTemplate batches;
  private final Clock clock;

  SigningAudit(JdbcClient jdbc, JdbcTemplate batches, Clock clock) {
    this.jdbc = jdbc;
    this.batches = batches;
    this.clock = clock;
  }

  void record(
      String keyId,
      String sessionId,
      Wire.@Nullable PolicyContext context,
      byte[] messageSha256,
      String decision,
      @Nullable String reason) {
    jdbc.sql(INSERT)
        .params(values(new Row(keyId, sessionId, context, messageSha256, decision, reason)))
        .update();
  }

  /**
   * Records the decisions of one group commit as one JDBC batch: the same rows as one {@link
   * #record} each, in the caller's transaction, but sent to PostgreSQL together instead of one
   * round trip each (at 32 signatures a batch, a round trip per audit row was most of a node's
   * statements).
   */
  void recordAll(List<Row> rows) {
    if (rows.isEmpty()) {
      return;
    }
    List<Object[]> values = new ArrayList<>(rows.size());
    rows.forEach(r -> values.add(values(r)));
    batches.batchUpdate(INSERT, values, INSERT_TYPES);
  }

  private Object[] values(Row r) {
    Wire.PolicyContext context = r.context();
    return new Object[] {
      Timestamp.from(clock.instant()),
      r.keyId(),
      r.sessionId(),
      context == null ? null : context.requestId(),
      context == null ? null : context.asset(),
      context == null ? null : new java.math.BigDecimal(context.amount()),
      context == null ? null : context.destination(),
      r.messageSha256(),
      r.decision(),
      r.reason()
    };
  }

  /**
   * The payouts ({@link #payout}) among these requests that this node already signed with the key:
   * a share for the same request and message again moves no more money, so the day total counts it
   * once.
   */
  Set<String> signedBefore(String keyId, List<String> requestIds) {
    // One index lookup on (key_id, request_id) per request id, whatever the statistics say: the
    // OFFSET 0 keeps the subquery from being flattened. Written as "request_id = any(?)", a
    // planner without statistics (autovacuum is off on the CI server the benchmarks share) used
    // the index for key_id only and filtered every SIGNED row of the key, in every group commit:
    // 8-14 ms at 20,000 rows, growing with the key's history, most of PostgreSQL's CPU per
    // signature (docs/benchmarks.md, "sign-cap").
    return new HashSet<>(
        jdbc.sql(
                """
                select r.id, a.message_sha256
                from unnest(?::text[]) as r(id)
                cross join lateral (
                  select message_sha256 from signing_audit
                  where key_id = ? and decision = 'SIGNED' and request_id = r.id
                  offset 0) a""")
            .params(requestIds.toArray(String[]::new), keyId)
            .query((rs, n) -> payout(rs.getString(1), rs.getBytes(2)))
            .list());
  }

  /** One payout: a request and the message it signs. */
  static String payout(String requestId, byte[] messageSha256) {
    return requestId + "|" + HexFormat.of().formatHex(messageSha256);
  }

  /** The latest decisions for a key, newest first. */
  public List<Entry> recent(String keyId, int limit) {
    return jdbc.sql(
            "select key_id, request_id, decision, reason from signing_audit where key_id = ?"
                + " order by id desc limit ?")
        .params(keyId, Math.min(limit, 1000))
        .query(
            (rs, n) ->
                new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
        .list();
  }
}
