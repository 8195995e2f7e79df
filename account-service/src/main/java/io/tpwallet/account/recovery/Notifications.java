package io.tpwallet.account.recovery;

import io.tpwallet.account.access.Access;
import io.tpwallet.account.access.Caller;
import io.tpwallet.account.access.Scopes;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.problem.ProblemException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Notices to customers, recorded in the caller's transaction (so a notice exists exactly when its
 * step happened) for the app to list. Sending them by mail or push is not built.
 */
@Component
public class Notifications {

  public static final int LIST_MAX = 100;

  private final JdbcClient jdbc;
  private final Access access;
  private final Clock clock;

  Notifications(JdbcClient jdbc, Access access, Clock clock) {
    this.jdbc = jdbc;
    this.access = access;
    this.clock = clock;
  }

  public record Notification(
      UUID id, String kind, @Nullable UUID subjectId, String message, Instant createdAt) {}

  void notify(UUID customer, String kind, @Nullable UUID subject, String message) {
    jdbc.sql(
            "insert into notification (id, customer_id, kind, subject_id, message, created_at)"
                + " values (?, ?, ?, ?, ?, ?)")
        .params(Ids.newId(), customer, kind, subject, message, Timestamp.from(clock.instant()))
        .update();
  }

  /** The calling user's latest notices, newest first. */
  public List<Notification> mine() {
    Caller caller = access.require(Scopes.ACCOUNTS_READ, "notification.list");
    UUID customer = caller.customerId();
    if (customer == null) {
      throw new ProblemException(
          HttpStatus.FORBIDDEN, Access.FORBIDDEN, "Forbidden", "Notices belong to a customer.");
    }
    return jdbc.sql(
            "select id, kind, subject_id, message, created_at from notification where"
                + " customer_id = ? order by created_at desc, id desc limit ?")
        .params(customer, LIST_MAX)
        .query(
            (rs, i) ->
                new Notification(
                    rs.getObject(1, UUID.class),
                    rs.getString(2),
                    rs.getObject(3, UUID.class),
                    rs.getString(4),
                    rs.getTimestamp(5).toInstant()))
        .list();
  }
}
