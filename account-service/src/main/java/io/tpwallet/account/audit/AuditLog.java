package io.tpwallet.account.audit;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Writes the audit log. A refusal is recorded in a transaction of its own ({@link #refused}), so
 * that it stays even though the refused request's own transaction (if any) rolls back.
 */
@Service
public class AuditLog {

  /** Bounds what one audit row keeps of a free-text detail. */
  public static final int DETAIL_LENGTH_MAX = 500;

  private final JdbcClient jdbc;
  private final Clock clock;

  AuditLog(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** An action that happened, in the caller's transaction: it commits with the action. */
  @Transactional(propagation = Propagation.REQUIRED)
  public void done(String actor, String action, @Nullable String target, @Nullable String detail) {
    insert(actor, action, target, "OK", detail);
  }

  /** A refusal; committed on its own whatever the caller's transaction does. */
  @Transactional(propagation = Propagation.REQUIRES_NEW)
  public void refused(
      String actor, String action, @Nullable String target, @Nullable String detail) {
    insert(actor, action, target, "REFUSED", detail);
  }

  /** The rows about one target, oldest first (bounded). */
  public List<AuditEvent> about(String target, int limit) {
    return jdbc.sql(
            "select seq, at, actor, action, target, outcome, source_ip, detail from audit_event"
                + " where target = ? order by seq limit ?")
        .params(target, Math.min(limit, 1000))
        .query(
            (rs, i) ->
                new AuditEvent(
                    rs.getLong(1),
                    rs.getTimestamp(2).toInstant(),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getString(6),
                    rs.getString(7),
                    rs.getString(8)))
        .list();
  }

  private void insert(
      String actor,
      String action,
      @Nullable String target,
      String outcome,
      @Nullable String detail) {
    String bounded =
        detail == null || detail.length() <= DETAIL_LENGTH_MAX
            ? detail
            : detail.substring(0, DETAIL_LENGTH_MAX);
    jdbc.sql(
            "insert into audit_event (at, actor, action, target, outcome, source_ip, detail)"
                + " values (?, ?, ?, ?, ?, ?, ?)")
        .params(
            java.sql.Timestamp.from(clock.instant()),
            actor,
            action,
            target,
            outcome,
            sourceIp(),
            bounded)
        .update();
  }

  /** The client's address: the gateway's X-Forwarded-For first hop, else the peer. */
  static @Nullable String sourceIp() {
    if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attrs)) {
      return null;
    }
    HttpServletRequest request = attrs.getRequest();
    String forwarded = request.getHeader("X-Forwarded-For");
    if (forwarded != null && !forwarded.isBlank()) {
      String first = forwarded.split(",")[0].trim();
      return first.length() > 64 ? first.substring(0, 64) : first;
    }
    return request.getRemoteAddr();
  }
}
