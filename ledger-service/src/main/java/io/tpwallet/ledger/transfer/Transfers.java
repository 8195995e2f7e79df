package io.tpwallet.ledger.transfer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The append-only tables of transfers and their entries. */
@Repository
class Transfers {

  private final JdbcClient jdbc;
  private final JdbcTemplate batch;

  Transfers(JdbcClient jdbc, JdbcTemplate batch) {
    this.jdbc = jdbc;
    this.batch = batch;
  }

  private static final String COLUMNS =
      """
      id, debit_account_id, credit_account_id, amount, asset, reference, kind, pending_id,
      timeout_at, created_at, reverses_id, legacy_ref""";

  /** Rows per JDBC batch: large enough to amortise round trips, small enough to bound memory. */
  private static final int BATCH_ROWS = 1000;

  Optional<Transfer> find(UUID id) {
    return jdbc.sql("select " + COLUMNS + " from ledger_transfer where id = ?")
        .param(id)
        .query(Transfers::transfer)
        .optional();
  }

  /** The stored transfers among {@code ids}, by id. */
  Map<UUID, Transfer> findAll(Collection<UUID> ids) {
    Map<UUID, Transfer> found = new HashMap<>();
    if (ids.isEmpty()) {
      return found;
    }
    jdbc.sql("select " + COLUMNS + " from ledger_transfer where id = any(?::uuid[])")
        .param(uuids(ids))
        .query(Transfers::transfer)
        .list()
        .forEach(t -> found.put(t.id(), t));
    return found;
  }

  /** For each of the holds {@code pendingIds} that is resolved, the kind that resolved it. */
  Map<UUID, TransferKind> resolutions(Collection<UUID> pendingIds) {
    Map<UUID, TransferKind> found = new HashMap<>();
    if (pendingIds.isEmpty()) {
      return found;
    }
    jdbc.sql("select pending_id, kind from ledger_transfer where pending_id = any(?::uuid[])")
        .param(uuids(pendingIds))
        .query(
            (rs, i) ->
                found.put(
                    rs.getObject("pending_id", UUID.class),
                    TransferKind.valueOf(rs.getString("kind"))))
        .list();
    return found;
  }

  /** For each of {@code originalIds} that has reversals, the sum of their amounts. */
  Map<UUID, BigInteger> reversedAmounts(Collection<UUID> originalIds) {
    Map<UUID, BigInteger> found = new HashMap<>();
    if (originalIds.isEmpty()) {
      return found;
    }
    jdbc.sql(
            """
            select reverses_id, sum(amount) from ledger_transfer
            where reverses_id = any(?::uuid[]) group by reverses_id""")
        .param(uuids(originalIds))
        .query(
            (rs, i) ->
                found.put(rs.getObject(1, UUID.class), rs.getBigDecimal(2).toBigIntegerExact()))
        .list();
    return found;
  }

  /** For each of {@code accountIds} with imported transfers, the time of its newest import. */
  Map<UUID, Instant> lastImports(Collection<UUID> accountIds) {
    Map<UUID, Instant> found = new HashMap<>();
    if (accountIds.isEmpty()) {
      return found;
    }
    jdbc.sql(
            """
            select a.id,
                   greatest(
                     (select max(created_at) from ledger_transfer
                       where debit_account_id = a.id and legacy_ref is not null),
                     (select max(created_at) from ledger_transfer
                       where credit_account_id = a.id and legacy_ref is not null)) as last
            from unnest(?::uuid[]) as a(id)""")
        .param(uuids(accountIds))
        .query(
            (rs, i) -> {
              OffsetDateTime last = rs.getObject("last", OffsetDateTime.class);
              if (last != null) {
                found.put(rs.getObject("id", UUID.class), last.toInstant());
              }
              return 1;
            })
        .list();
    return found;
  }

  /**
   * Inserts new transfers in their order (a hold before the post of it in the same batch); returns
   * whether every one was inserted. One that was not had its id taken by a concurrent transaction
   * that committed after this one looked: the caller retries the batch, which then replays it.
   */
  boolean insertAll(List<Transfer> rows, UUID batchId) {
    int[][] counts =
        batch.batchUpdate(
            """
            insert into ledger_transfer (id, debit_account_id, credit_account_id, amount, asset,
                reference, kind, pending_id, timeout_at, created_at, reverses_id, legacy_ref,
                batch_id)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (id) do nothing""",
            rows,
            BATCH_ROWS,
            (ps, t) -> {
              ps.setObject(1, t.id());
              ps.setObject(2, t.debitAccountId());
              ps.setObject(3, t.creditAccountId());
              ps.setBigDecimal(4, new BigDecimal(t.amount()));
              ps.setString(5, t.asset());
              ps.setString(6, t.reference());
              ps.setString(7, t.kind().name());
              ps.setObject(8, t.pendingId());
              ps.setObject(9, offset(t.timeoutAt()));
              ps.setObject(10, offset(t.createdAt()));
              ps.setObject(11, t.reversesId());
              ps.setString(12, t.legacyRef());
              ps.setObject(13, batchId);
            });
    return Arrays.stream(counts).flatMapToInt(Arrays::stream).allMatch(c -> c == 1);
  }

  /** The debit and credit entries of transfers that post: double entry, checked at commit. */
  void insertEntries(List<Transfer> posting) {
    List<Object[]> rows = new ArrayList<>(posting.size() * 2);
    for (Transfer t : posting) {
      BigDecimal amount = new BigDecimal(t.amount());
      rows.add(new Object[] {t.id(), t.debitAccountId(), "D", amount, offset(t.createdAt())});
      rows.add(new Object[] {t.id(), t.creditAccountId(), "C", amount, offset(t.createdAt())});
    }
    batch.batchUpdate(
        """
        insert into ledger_entry (transfer_id, account_id, direction, amount, created_at)
        values (?, ?, ?, ?, ?)""",
        rows,
        BATCH_ROWS,
        (ps, r) -> {
          for (int i = 0; i < r.length; i++) {
            ps.setObject(i + 1, r[i]);
          }
        });
  }

  /** Registers new holds with a timeout for the expiry job. */
  void insertTimeouts(List<Transfer> holds) {
    batch.batchUpdate(
        "insert into ledger_pending_timeout (transfer_id, timeout_at) values (?, ?)",
        holds,
        BATCH_ROWS,
        (ps, t) -> {
          ps.setObject(1, t.id());
          ps.setObject(2, offset(t.timeoutAt()));
        });
  }

  /** Forgets the timeouts of holds that are now resolved. */
  void deleteTimeouts(Collection<UUID> resolvedHolds) {
    if (resolvedHolds.isEmpty()) {
      return;
    }
    jdbc.sql("delete from ledger_pending_timeout where transfer_id = any(?::uuid[])")
        .param(uuids(resolvedHolds))
        .update();
  }

  /** Open holds whose timeout is at or before {@code now}, oldest first. */
  List<UUID> dueHolds(Instant now, int limit) {
    return jdbc.sql(
            """
            select transfer_id from ledger_pending_timeout where timeout_at <= ?
            order by timeout_at limit ?""")
        .params(offset(now), limit)
        .query((rs, i) -> rs.getObject(1, UUID.class))
        .list();
  }

  private static String[] uuids(Collection<UUID> ids) {
    return ids.stream().map(UUID::toString).distinct().toArray(String[]::new);
  }

  private static @Nullable OffsetDateTime offset(@Nullable Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
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

  static Transfer transfer(ResultSet rs, int row) throws SQLException {
    var timeoutAt = rs.getTimestamp("timeout_at");
    return new Transfer(
        rs.getObject("id", UUID.class),
        rs.getObject("debit_account_id", UUID.class),
        rs.getObject("credit_account_id", UUID.class),
        rs.getBigDecimal("amount").toBigIntegerExact(),
        rs.getString("asset"),
        rs.getString("reference"),
        TransferKind.valueOf(rs.getString("kind")),
        rs.getObject("pending_id", UUID.class),
        timeoutAt == null ? null : timeoutAt.toInstant(),
        instant(rs, "created_at"),
        rs.getObject("reverses_id", UUID.class),
        rs.getString("legacy_ref"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getTimestamp(column).toInstant();
  }
}
