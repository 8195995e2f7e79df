package io.tpwallet.ledger.statement;

import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The ledger's queries, in SQL over the append-only tables. Every list is a keyset page on
 * (created_at, id) newest first (transfers) or oldest first (statement lines), bounded by {@link
 * #PAGE_SIZE_MAX}; every filter has an index (migrations V4 and V7).
 */
@Repository
public class Statements {

  /** The most rows one page returns. */
  public static final int PAGE_SIZE_MAX = 200;

  /** A hold's status is read from the transfer that resolved it, as GET /transfers/{id} does. */
  private static final String STATUS =
      """
      case when t.kind in ('SINGLE', 'POST') then 'POSTED'
           when t.kind = 'VOID' then 'VOIDED'
           when t.kind = 'EXPIRE' then 'EXPIRED'
           else coalesce((select case r.kind when 'POST' then 'POSTED' when 'VOID' then 'VOIDED'
                                             else 'EXPIRED' end
                            from ledger_transfer r where r.pending_id = t.id), 'PENDING')
      end""";

  private static final String COLUMNS =
      """
      t.id, t.debit_account_id, t.credit_account_id, t.amount, t.asset, t.reference, t.kind,
      t.pending_id, t.timeout_at, t.created_at, t.reverses_id, t.legacy_ref, t.metadata, """
          + STATUS
          + " as status";

  private final JdbcClient jdbc;

  Statements(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * What to list; null fields do not filter. {@code from} inclusive, {@code to} exclusive. {@code
   * metadataContains} are JSON objects: a transfer matches when its metadata contains any of them
   * (one key with a value, as a string and, when the value reads as a number or boolean, as that).
   */
  public record TransferQuery(
      @Nullable UUID accountId,
      @Nullable String reference,
      @Nullable String status,
      @Nullable Instant from,
      @Nullable Instant to,
      @Nullable Cursor after,
      int limit,
      List<String> metadataContains) {}

  /** A transfer row with its status. */
  public record TransferRow(
      UUID id,
      UUID debitAccountId,
      UUID creditAccountId,
      BigInteger amount,
      String asset,
      String reference,
      String kind,
      String status,
      @Nullable UUID pendingId,
      @Nullable Instant timeoutAt,
      Instant createdAt,
      @Nullable UUID reversesId,
      @Nullable String legacyRef,
      @Nullable String metadata) {}

  /** One statement line: an entry with its transfer's reference and the counterparty. */
  public record Line(
      long entryId,
      UUID transferId,
      String direction,
      BigInteger amount,
      UUID counterpartyAccountId,
      String reference,
      Instant createdAt) {}

  /** An account's identity for the read side: its asset, or empty when it does not exist. */
  public Optional<String> assetOf(UUID accountId) {
    return jdbc.sql("select asset from ledger_account where id = ?")
        .param(accountId)
        .query(String.class)
        .optional();
  }

  /**
   * Transfers matching {@code q}, newest first. An account filter is two index range scans (debit
   * side, credit side) merged, not an OR that would scan the table.
   */
  public List<TransferRow> transfers(TransferQuery q) {
    int limit = Math.max(1, Math.min(q.limit(), PAGE_SIZE_MAX));
    List<Object> params = new ArrayList<>();
    StringBuilder where = new StringBuilder("true");
    if (q.reference() != null) {
      where.append(" and t.reference = ?");
      params.add(q.reference());
    }
    if (q.status() != null) {
      where.append(" and ").append(statusFilter(q.status()));
    }
    if (!q.metadataContains().isEmpty()) {
      // jsonb containment on the text read as jsonb: what the GIN index of migration V7 serves.
      where.append(" and t.metadata is not null and (");
      for (int i = 0; i < q.metadataContains().size(); i++) {
        where.append(i == 0 ? "" : " or ").append("t.metadata::jsonb @> ?::jsonb");
        params.add(q.metadataContains().get(i));
      }
      where.append(")");
    }
    if (q.from() != null) {
      where.append(" and t.created_at >= ?");
      params.add(offset(q.from()));
    }
    if (q.to() != null) {
      where.append(" and t.created_at < ?");
      params.add(offset(q.to()));
    }
    if (q.after() != null) {
      where.append(" and (t.created_at, t.id) < (?, ?)");
      params.add(offset(q.after().at()));
      params.add(UUID.fromString(q.after().tiebreak()));
    }
    String order = " order by t.created_at desc, t.id desc limit " + limit;
    String sql;
    List<Object> all = new ArrayList<>();
    if (q.accountId() != null) {
      sql =
          "select * from ((select "
              + COLUMNS
              + " from ledger_transfer t where t.debit_account_id = ? and "
              + where
              + order
              + ") union all (select "
              + COLUMNS
              + " from ledger_transfer t where t.credit_account_id = ? and "
              + where
              + order
              + ")) t order by created_at desc, id desc limit "
              + limit;
      all.add(q.accountId());
      all.addAll(params);
      all.add(q.accountId());
      all.addAll(params);
    } else {
      sql = "select " + COLUMNS + " from ledger_transfer t where " + where + order;
      all.addAll(params);
    }
    return jdbc.sql(sql).params(all).query(Statements::row).list();
  }

  /**
   * The filter for a status. POSTED, VOIDED and EXPIRED rows are found by kind (indexed), plus the
   * holds resolved that way; PENDING is the holds with no resolution.
   */
  private static String statusFilter(String status) {
    return switch (status) {
      case "PENDING" ->
          "t.kind = 'PENDING' and not exists (select 1 from ledger_transfer r where r.pending_id = t.id)";
      case "POSTED" ->
          "(t.kind in ('SINGLE', 'POST') or (t.kind = 'PENDING' and exists (select 1 from"
              + " ledger_transfer r where r.pending_id = t.id and r.kind = 'POST')))";
      case "VOIDED" ->
          "(t.kind = 'VOID' or (t.kind = 'PENDING' and exists (select 1 from ledger_transfer r"
              + " where r.pending_id = t.id and r.kind = 'VOID')))";
      case "EXPIRED" ->
          "(t.kind = 'EXPIRE' or (t.kind = 'PENDING' and exists (select 1 from ledger_transfer r"
              + " where r.pending_id = t.id and r.kind = 'EXPIRE')))";
      default -> throw new IllegalArgumentException("unknown status " + status);
    };
  }

  /** The end of an archived month (exclusive), as a timestamptz. */
  private static final String MONTH_END =
      "(a.month::timestamp at time zone 'UTC' + interval '1 month')";

  private static final String MONTH_START = "(a.month::timestamp at time zone 'UTC')";

  /**
   * The archived months (YYYY-MM, oldest first) that overlap [{@code from}, {@code to}) (null: no
   * bound) and, with an account, in which that account has transfers.
   */
  public List<String> archivedMonths(
      @Nullable UUID accountId, @Nullable Instant from, @Nullable Instant to) {
    return jdbc.sql(
            "select to_char(a.month, 'YYYY-MM') from ledger_archive a"
                + " where (?::timestamptz is null or "
                + MONTH_END
                + " > ?::timestamptz)"
                + " and (?::timestamptz is null or "
                + MONTH_START
                + " < ?::timestamptz)"
                + " and (?::uuid is null or exists (select 1 from ledger_archive_account x"
                + " where x.month = a.month and x.account_id = ?::uuid))"
                + " order by a.month")
        .params(
            from == null ? null : offset(from),
            from == null ? null : offset(from),
            to == null ? null : offset(to),
            to == null ? null : offset(to),
            accountId,
            accountId)
        .query(String.class)
        .list();
  }

  /**
   * Posted debits and credits of an account from its entries with created_at ≤ {@code at}, plus its
   * totals in archived months that ended by then (kept in the archive index). An archived month
   * that contains {@code at} is not counted: its entries are not in the database.
   */
  public BigInteger[] totalsAt(UUID accountId, Instant at) {
    return jdbc.sql(
            "select coalesce(sum(amount) filter (where direction = 'D'), 0)"
                + " + (select coalesce(sum(debits), 0) from ledger_archive_account a"
                + " where a.account_id = ? and "
                + MONTH_END
                + " <= ?) as debits,"
                + " coalesce(sum(amount) filter (where direction = 'C'), 0)"
                + " + (select coalesce(sum(credits), 0) from ledger_archive_account a"
                + " where a.account_id = ? and "
                + MONTH_END
                + " <= ?) as credits"
                + " from ledger_entry where account_id = ? and created_at <= ?")
        .params(accountId, offset(at), accountId, offset(at), accountId, offset(at))
        .query(
            (rs, i) ->
                new BigInteger[] {
                  rs.getBigDecimal("debits").toBigIntegerExact(),
                  rs.getBigDecimal("credits").toBigIntegerExact()
                })
        .single();
  }

  /**
   * Credits minus debits of the account's entries strictly before the position (at, entryId), plus
   * its totals in archived months that ended by {@code at}.
   */
  public BigInteger balanceBefore(UUID accountId, Instant at, long entryId) {
    return jdbc.sql(
            "select coalesce(sum(case when direction = 'C' then amount else -amount end), 0)"
                + " + (select coalesce(sum(credits - debits), 0) from ledger_archive_account a"
                + " where a.account_id = ? and "
                + MONTH_END
                + " <= ?)"
                + " from ledger_entry where account_id = ? and (created_at, id) < (?, ?)")
        .params(accountId, offset(at), accountId, offset(at), entryId)
        .query((rs, i) -> rs.getBigDecimal(1).toBigIntegerExact())
        .single();
  }

  /** Statement lines in [from, to), oldest first, after the position (at, entryId) if given. */
  public List<Line> lines(
      UUID accountId, Instant from, Instant to, @Nullable Cursor after, int limit) {
    int bounded = Math.max(1, Math.min(limit, PAGE_SIZE_MAX));
    Instant afterAt = after == null ? from : after.at();
    long afterId = after == null ? 0 : Long.parseLong(after.tiebreak());
    return jdbc.sql(
            """
            select e.id, e.transfer_id, e.direction, e.amount, e.created_at, t.reference,
                   case when e.direction = 'D' then t.credit_account_id
                        else t.debit_account_id end as counterparty
            from ledger_entry e join ledger_transfer t on t.id = e.transfer_id
            where e.account_id = ? and e.created_at >= ? and e.created_at < ?
              and (e.created_at, e.id) > (?, ?)
            order by e.created_at, e.id
            limit ?""")
        .params(accountId, offset(from), offset(to), offset(afterAt), afterId, bounded)
        .query(
            (rs, i) ->
                new Line(
                    rs.getLong("id"),
                    rs.getObject("transfer_id", UUID.class),
                    rs.getString("direction").equals("D") ? "DEBIT" : "CREDIT",
                    rs.getBigDecimal("amount").toBigIntegerExact(),
                    rs.getObject("counterparty", UUID.class),
                    rs.getString("reference"),
                    instant(rs, "created_at")))
        .list();
  }

  private static TransferRow row(ResultSet rs, int i) throws SQLException {
    OffsetDateTime timeout = rs.getObject("timeout_at", OffsetDateTime.class);
    return new TransferRow(
        rs.getObject("id", UUID.class),
        rs.getObject("debit_account_id", UUID.class),
        rs.getObject("credit_account_id", UUID.class),
        rs.getBigDecimal("amount").toBigIntegerExact(),
        rs.getString("asset"),
        rs.getString("reference"),
        rs.getString("kind"),
        rs.getString("status"),
        rs.getObject("pending_id", UUID.class),
        timeout == null ? null : timeout.toInstant(),
        instant(rs, "created_at"),
        rs.getObject("reverses_id", UUID.class),
        rs.getString("legacy_ref"),
        rs.getString("metadata"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static OffsetDateTime offset(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }
}
