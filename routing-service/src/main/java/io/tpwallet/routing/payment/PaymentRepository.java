package io.tpwallet.routing.payment;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Payments and their history in routing-service's own database. */
@Repository
class PaymentRepository {

  private final JdbcClient jdbc;

  PaymentRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void insert(UUID id, CreatePaymentRequest.Valid valid, @Nullable UUID owner, Instant now) {
    jdbc.sql(
            """
            insert into payment (id, payer_account_id, payee_account_id, amount, asset, reference,
                                 status, created_at, updated_at, owner_id)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
        .params(
            id,
            valid.payer(),
            valid.payee(),
            new BigDecimal(valid.amount().minor()),
            valid.amount().asset().code(),
            valid.reference(),
            PaymentStatus.PENDING.name(),
            Timestamp.from(now),
            Timestamp.from(now),
            owner)
        .update();
    addStep(id, 1, PaymentStatus.PENDING, null, now);
  }

  /**
   * Moves the payment from {@code from} to {@code to}, locking it; returns false (and changes
   * nothing) when it is not in {@code from}, e.g. because this step was applied already.
   */
  boolean transition(
      UUID id, PaymentStatus from, PaymentStatus to, @Nullable String reason, Instant now) {
    int moved =
        jdbc.sql(
                """
                update payment set status = ?, reason = coalesce(?, reason), updated_at = ?
                where id = ? and status = ?""")
            .params(to.name(), reason, Timestamp.from(now), id, from.name())
            .update();
    if (moved == 0) {
      return false;
    }
    int seq =
        jdbc.sql("select coalesce(max(seq), 0) + 1 from payment_history where payment_id = ?")
            .param(id)
            .query(Integer.class)
            .single();
    addStep(id, seq, to, reason, now);
    return true;
  }

  Optional<Payment> find(UUID id) {
    return jdbc.sql("select * from payment where id = ?")
        .param(id)
        .query((rs, i) -> map(rs, history(id)))
        .optional();
  }

  private List<Payment.Step> history(UUID id) {
    return jdbc.sql(
            "select status, at, reason from payment_history where payment_id = ? order by seq")
        .param(id)
        .query(
            (rs, i) ->
                new Payment.Step(
                    PaymentStatus.valueOf(rs.getString("status")),
                    rs.getTimestamp("at").toInstant(),
                    rs.getString("reason")))
        .list();
  }

  private void addStep(
      UUID id, int seq, PaymentStatus status, @Nullable String reason, Instant now) {
    jdbc.sql(
            "insert into payment_history (payment_id, seq, status, reason, at) values (?, ?, ?, ?, ?)")
        .params(id, seq, status.name(), reason, Timestamp.from(now))
        .update();
  }

  private static Payment map(ResultSet rs, List<Payment.Step> history) throws SQLException {
    return new Payment(
        rs.getObject("id", UUID.class),
        PaymentStatus.valueOf(rs.getString("status")),
        rs.getObject("payer_account_id", UUID.class),
        rs.getObject("payee_account_id", UUID.class),
        rs.getBigDecimal("amount").toBigIntegerExact().toString(),
        rs.getString("asset"),
        rs.getString("reference"),
        rs.getString("reason"),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant(),
        rs.getObject("owner_id", UUID.class),
        history);
  }
}
