package io.tpwallet.ledger.transfer;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The append-only tables of transfers and their entries. */
@Repository
class Transfers {

  private final JdbcClient jdbc;

  Transfers(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  Optional<Transfer> find(UUID id) {
    return jdbc.sql(
            """
            select id, debit_account_id, credit_account_id, amount, asset, reference, created_at
            from ledger_transfer where id = ?""")
        .param(id)
        .query(Transfers::transfer)
        .optional();
  }

  /**
   * Inserts the transfer unless its id is taken; returns whether it was inserted. A concurrent
   * insert of the same id waits for the other transaction and then does nothing if it committed.
   */
  boolean insertIfAbsent(TransferCommand c) {
    return jdbc.sql(
                """
                insert into ledger_transfer
                    (id, debit_account_id, credit_account_id, amount, asset, reference)
                values (?, ?, ?, ?, ?, ?)
                on conflict (id) do nothing""")
            .params(
                c.id(),
                c.debitAccountId(),
                c.creditAccountId(),
                new BigDecimal(c.amount()),
                c.asset(),
                c.reference())
            .update()
        == 1;
  }

  /** The debit and the credit entry of a transfer: double entry, checked again at commit. */
  void insertEntries(TransferCommand c) {
    BigDecimal amount = new BigDecimal(c.amount());
    jdbc.sql(
            """
            insert into ledger_entry (transfer_id, account_id, direction, amount)
            values (?, ?, 'D', ?), (?, ?, 'C', ?)""")
        .params(c.id(), c.debitAccountId(), amount, c.id(), c.creditAccountId(), amount)
        .update();
  }

  /** An account's entries, newest first, before the entry {@code beforeId} when given. */
  List<Entry> entries(UUID accountId, int limit, @Nullable Long beforeId) {
    return jdbc.sql(
            """
            select e.id, e.transfer_id, e.direction, e.amount, e.created_at, t.reference,
                   t.asset,
                   case when e.direction = 'D' then t.credit_account_id
                        else t.debit_account_id end as counterparty
            from ledger_entry e join ledger_transfer t on t.id = e.transfer_id
            where e.account_id = ? and e.id < ?
            order by e.id desc
            limit ?""")
        .params(accountId, beforeId == null ? Long.MAX_VALUE : beforeId, limit)
        .query(
            (rs, i) ->
                new Entry(
                    rs.getLong("id"),
                    rs.getObject("transfer_id", UUID.class),
                    rs.getString("direction").equals("D")
                        ? Entry.Direction.DEBIT
                        : Entry.Direction.CREDIT,
                    rs.getBigDecimal("amount").toBigIntegerExact(),
                    rs.getString("asset"),
                    rs.getObject("counterparty", UUID.class),
                    rs.getString("reference"),
                    instant(rs, "created_at")))
        .list();
  }

  private static Transfer transfer(ResultSet rs, int row) throws SQLException {
    return new Transfer(
        rs.getObject("id", UUID.class),
        rs.getObject("debit_account_id", UUID.class),
        rs.getObject("credit_account_id", UUID.class),
        rs.getBigDecimal("amount").toBigIntegerExact(),
        rs.getString("asset"),
        rs.getString("reference"),
        instant(rs, "created_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getTimestamp(column).toInstant();
  }
}
