package io.tpwallet.ledger.transfer;

import io.tpwallet.ledger.jdbc.Pipeline;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
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

  /** Rows per JDBC batch: large enough to amortise round trips, small enough to bound memory. */
  private static final int BATCH_ROWS = 1000;

  /**
   * Transfers by id through the id table, which names each one's month: a new id (the usual case on
   * the hot path) is one index probe and no partition is read; a stored one reads its own month's
   * partition only.
   */
  private static final String BY_ID =
      """
      select t.id, t.debit_account_id, t.credit_account_id, t.amount, t.asset, t.reference,
             t.kind, t.pending_id, t.timeout_at, t.created_at, t.reverses_id, t.legacy_ref,
             t.metadata
      from ledger_transfer_id i join ledger_transfer t on t.id = i.id and t.created_at = i.created_at
      """;

  /**
   * {@link #BY_ID} with the id table left-joined: an id whose month is archived comes back with
   * {@code stored_id} and a null {@code id}.
   */
  private static final String BY_ID_OR_ARCHIVED =
      BY_ID
          .replace("from ledger_transfer_id i join", "from ledger_transfer_id i left join")
          .replace("select t.id,", "select i.id as stored_id, t.id,");

  Optional<Transfer> find(UUID id) {
    return jdbc.sql(BY_ID + " where i.id = ?").param(id).query(Transfers::transfer).optional();
  }

  /** The month of transfer {@code id} if the id table has it and its month's rows are archived. */
  Optional<YearMonth> archivedMonthOf(UUID id) {
    return jdbc.sql(
            """
            select i.created_at from ledger_transfer_id i
            where i.id = ? and not exists (
              select 1 from ledger_transfer t where t.id = i.id and t.created_at = i.created_at)
            """)
        .param(id)
        .query(
            (rs, row) ->
                YearMonth.from(
                    rs.getObject("created_at", OffsetDateTime.class)
                        .atZoneSameInstant(ZoneOffset.UTC)))
        .optional();
  }

  /** The stored transfers among {@code ids}, by id. */
  Map<UUID, Transfer> findAll(Collection<UUID> ids) {
    Map<UUID, Transfer> found = new HashMap<>();
    if (ids.isEmpty()) {
      return found;
    }
    jdbc.sql(BY_ID + " where i.id = any(?::uuid[])")
        .param(uuids(ids))
        .query(Transfers::transfer)
        .list()
        .forEach(t -> found.put(t.id(), t));
    return found;
  }

  /**
   * The stored transfers among {@code ids}, and in {@code archived} those of them whose month is
   * archived: the id table keeps every id, the partition with the row is gone. One statement, the
   * id table left-joined ({@link #BY_ID_OR_ARCHIVED}), as a step of {@code pipeline}: the map and
   * the set are filled when it runs.
   */
  Map<UUID, Transfer> findAll(Collection<UUID> ids, Set<UUID> archived, Pipeline pipeline) {
    Map<UUID, Transfer> found = new HashMap<>();
    if (ids.isEmpty()) {
      return found;
    }
    pipeline.query(
        BY_ID_OR_ARCHIVED + " where i.id = any(?::uuid[])",
        rs -> {
          if (rs.getObject("id") == null) {
            archived.add(rs.getObject("stored_id", UUID.class));
          } else {
            Transfer t = transfer(rs, 0);
            found.put(t.id(), t);
          }
        },
        (Object) uuids(ids));
    return found;
  }

  /** For each of the holds {@code pendingIds} that is resolved, the kind that resolved it. */
  Map<UUID, TransferKind> resolutions(Collection<UUID> pendingIds) {
    Pipeline pipeline = new Pipeline(batch);
    Map<UUID, TransferKind> found = resolutions(pendingIds, pipeline);
    pipeline.run();
    return found;
  }

  /** {@link #resolutions(Collection)} as a step of {@code pipeline}, filled when it runs. */
  Map<UUID, TransferKind> resolutions(Collection<UUID> pendingIds, Pipeline pipeline) {
    Map<UUID, TransferKind> found = new HashMap<>();
    if (pendingIds.isEmpty()) {
      return found;
    }
    pipeline.query(
        "select pending_id, kind from ledger_transfer where pending_id = any(?::uuid[])",
        rs ->
            found.put(
                rs.getObject("pending_id", UUID.class), TransferKind.valueOf(rs.getString("kind"))),
        (Object) uuids(pendingIds));
    return found;
  }

  /**
   * For each of {@code originalIds} that has reversals, the sum of their amounts; a step of {@code
   * pipeline}, filled when it runs.
   */
  Map<UUID, BigInteger> reversedAmounts(Collection<UUID> originalIds, Pipeline pipeline) {
    Map<UUID, BigInteger> found = new HashMap<>();
    if (originalIds.isEmpty()) {
      return found;
    }
    pipeline.query(
        """
        select reverses_id, sum(amount) from ledger_transfer
        where reverses_id = any(?::uuid[]) group by reverses_id""",
        rs -> found.put(rs.getObject(1, UUID.class), rs.getBigDecimal(2).toBigIntegerExact()),
        (Object) uuids(originalIds));
    return found;
  }

  /**
   * For each of {@code accountIds} with imported transfers, the time of its newest import; a step
   * of {@code pipeline}, filled when it runs.
   */
  Map<UUID, Instant> lastImports(Collection<UUID> accountIds, Pipeline pipeline) {
    Map<UUID, Instant> found = new HashMap<>();
    if (accountIds.isEmpty()) {
      return found;
    }
    pipeline.query(
        """
        select a.id,
               greatest(
                 (select max(created_at) from ledger_transfer
                   where debit_account_id = a.id and legacy_ref is not null),
                 (select max(created_at) from ledger_transfer
                   where credit_account_id = a.id and legacy_ref is not null)) as last
        from unnest(?::uuid[]) as a(id)""",
        rs -> {
          OffsetDateTime last = rs.getObject("last", OffsetDateTime.class);
          if (last != null) {
            found.put(rs.getObject("id", UUID.class), last.toInstant());
          }
        },
        (Object) uuids(accountIds));
    return found;
  }

  /**
   * Inserts new transfers in their order (a hold before the post of it in the same batch) and the
   * debit and credit entries of those that post, in ONE statement; returns whether every transfer
   * was inserted. One that was not had its id taken by a concurrent transaction that committed
   * after this one looked: the caller retries the batch, which then replays it.
   *
   * <p>One statement because the database checks double entry when the statement that inserts a
   * transfer ends (migration V9: a statement trigger over the inserted rows, not a deferred trigger
   * per row at commit): a transfer that posts must have both its entries by then. A step of {@code
   * pipeline}: {@code inserted} learns the outcome when it runs.
   */
  void insertAll(List<Transfer> rows, UUID batchId, Pipeline pipeline, Consumer<Boolean> inserted) {
    int n = rows.size();
    String[] ids = new String[n];
    String[] debits = new String[n];
    String[] credits = new String[n];
    String[] amounts = new String[n];
    String[] assets = new String[n];
    String[] references = new String[n];
    String[] kinds = new String[n];
    String[] pendingIds = new String[n];
    String[] timeouts = new String[n];
    String[] createdAts = new String[n];
    String[] reversesIds = new String[n];
    String[] legacyRefs = new String[n];
    String[] metadata = new String[n];
    for (int i = 0; i < n; i++) {
      Transfer t = rows.get(i);
      ids[i] = t.id().toString();
      debits[i] = t.debitAccountId().toString();
      credits[i] = t.creditAccountId().toString();
      amounts[i] = t.amount().toString();
      assets[i] = t.asset();
      references[i] = t.reference();
      kinds[i] = t.kind().name();
      pendingIds[i] = text(t.pendingId());
      timeouts[i] = text(t.timeoutAt());
      createdAts[i] = t.createdAt().toString();
      reversesIds[i] = text(t.reversesId());
      legacyRefs[i] = t.legacyRef();
      metadata[i] = t.metadata();
    }
    // One statement for the whole batch (arrays, not a JDBC batch of n statements); with
    // ordinality keeps the batch's order, so a hold is inserted before the post of it, and the
    // entries (their ids come from a sequence) follow the batch's order, debit before credit.
    // The id rows first, in the same statement: ledger_transfer_id carries the global uniqueness
    // of ids and of resolved holds (a partitioned table cannot), and only the transfers whose id
    // row was inserted are inserted, with their entries (a concurrent transaction may have taken
    // an id).
    pipeline.query(
        """
                with r as (
                  select * from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::numeric[], ?::text[],
                      ?::text[], ?::text[], ?::uuid[], ?::timestamptz[], ?::timestamptz[],
                      ?::uuid[], ?::text[], ?::text[])
                      with ordinality as r(id, debit, credit, amount, asset, reference, kind,
                          pending_id, timeout_at, created_at, reverses_id, legacy_ref, metadata, n)),
                ids as (
                  insert into ledger_transfer_id (id, created_at, pending_id)
                  select r.id, r.created_at, r.pending_id from r order by r.n
                  on conflict (id) do nothing
                  returning id),
                t as (
                  insert into ledger_transfer (id, debit_account_id, credit_account_id, amount,
                      asset, reference, kind, pending_id, timeout_at, created_at, reverses_id,
                      legacy_ref, metadata, batch_id)
                  select r.id, r.debit, r.credit, r.amount, r.asset, r.reference, r.kind,
                      r.pending_id, r.timeout_at, r.created_at, r.reverses_id, r.legacy_ref,
                      r.metadata, ?
                  from r join ids on ids.id = r.id
                  order by r.n
                  returning 1),
                e as (
                  insert into ledger_entry (transfer_id, account_id, direction, amount, created_at)
                  select r.id, case d.direction when 'D' then r.debit else r.credit end,
                      d.direction, r.amount, r.created_at
                  from r join ids on ids.id = r.id
                      cross join (values ('D', 1), ('C', 2)) as d(direction, k)
                  where r.kind in ('SINGLE', 'POST')
                  order by r.n, d.k
                  returning 1)
                select count(*) from t""",
        rs -> inserted.accept(rs.getLong(1) == n),
        ids,
        debits,
        credits,
        amounts,
        assets,
        references,
        kinds,
        pendingIds,
        timeouts,
        createdAts,
        reversesIds,
        legacyRefs,
        metadata,
        batchId);
  }

  private static @Nullable String text(@Nullable Object value) {
    return value == null ? null : value.toString();
  }

  /** Registers new holds with a timeout for the expiry job; a step of {@code pipeline}. */
  void insertTimeouts(List<Transfer> holds, Pipeline pipeline) {
    if (holds.isEmpty()) {
      return;
    }
    String[] ids = new String[holds.size()];
    String[] timeouts = new String[holds.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = holds.get(i).id().toString();
      timeouts[i] = String.valueOf(holds.get(i).timeoutAt());
    }
    pipeline.update(
        """
        insert into ledger_pending_timeout (transfer_id, timeout_at)
        select * from unnest(?::uuid[], ?::timestamptz[])""",
        ids,
        timeouts);
  }

  /** Forgets the timeouts of holds that are now resolved; a step of {@code pipeline}. */
  void deleteTimeouts(Collection<UUID> resolvedHolds, Pipeline pipeline) {
    if (resolvedHolds.isEmpty()) {
      return;
    }
    pipeline.update(
        "delete from ledger_pending_timeout where transfer_id = any(?::uuid[])",
        (Object) uuids(resolvedHolds));
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
        rs.getString("legacy_ref"),
        rs.getString("metadata"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getTimestamp(column).toInstant();
  }
}
