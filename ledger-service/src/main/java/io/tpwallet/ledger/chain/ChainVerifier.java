package io.tpwallet.ledger.chain;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Recomputes every link of the chain from the rows of its batch, in one read-only repeatable-read
 * snapshot, reading links a thousand at a time and their rows in groups of at most {@value
 * #TRANSFERS_PER_READ_MAX} transfers (memory stays bounded, round trips few) (so that batches
 * committing meanwhile are either wholly in or wholly out), and reports the first link that does
 * not match: a gap in seq, a prev_hash that is not the previous hash, a count or a hash that
 * differs from the recomputed one. Then it looks for transfers that name a batch without a link.
 * Plain JDBC and no Spring context, so that the CLI can use it too.
 */
public final class ChainVerifier {

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final int linksPerRead;
  private final int transfersPerRead;

  public ChainVerifier(JdbcClient jdbc, PlatformTransactionManager transactions) {
    this(jdbc, transactions, LINKS_PER_READ_MAX, TRANSFERS_PER_READ_MAX);
  }

  /** With other read sizes: tests use tiny ones to cross page and group boundaries. */
  public ChainVerifier(
      JdbcClient jdbc,
      PlatformTransactionManager transactions,
      int linksPerRead,
      int transfersPerRead) {
    if (linksPerRead < 1 || transfersPerRead < 1) {
      throw new IllegalArgumentException("read sizes are positive");
    }
    this.linksPerRead = linksPerRead;
    this.transfersPerRead = transfersPerRead;
    this.jdbc = jdbc;
    this.tx = new TransactionTemplate(transactions);
    tx.setReadOnly(true);
    tx.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
  }

  private record Link(
      long seq,
      UUID batchId,
      byte[] prevHash,
      byte[] hash,
      int transfers,
      int entries,
      Instant at) {}

  public Verification verify() {
    Verification v = tx.execute(status -> run());
    if (v == null) {
      throw new IllegalStateException("verification returned nothing");
    }
    return v;
  }

  /** Links read per query, in seq order. */
  static final int LINKS_PER_READ_MAX = 1000;

  /**
   * Transfers read per query: links are grouped until their transfers reach this (a link with more
   * is read alone), so that memory stays bounded whatever the batch sizes.
   */
  static final int TRANSFERS_PER_READ_MAX = 20_000;

  /** What a verify has counted so far. */
  private static final class Counts {
    long batches;
    long transfers;
    long entries;
    long preChain;
    long archivedBatches;
    long archivedTransfers;
    long archivedEntries;
    List<String> archivedMonths = List.of();
  }

  /** A batch's rows in archived months, with its link's hash when the month was archived. */
  private record Archived(int transfers, int entries, byte[] hash) {}

  private Verification run() {
    Counts n = new Counts();
    n.preChain =
        jdbc.sql("select count(*) from ledger_transfer where batch_id is null")
            .query(Long.class)
            .single();
    n.archivedMonths =
        jdbc.sql("select to_char(month, 'YYYY-MM') from ledger_archive order by month")
            .query(String.class)
            .list();
    byte[] prev = CanonicalBatch.GENESIS;
    long expectedSeq = 1;
    while (true) {
      List<Link> links = links(expectedSeq - 1);
      if (links.isEmpty()) {
        break;
      }
      int from = 0;
      while (from < links.size()) {
        int to = from;
        long rows = 0;
        while (to < links.size()
            && (to == from || rows + links.get(to).transfers() <= transfersPerRead)) {
          rows += links.get(to).transfers();
          to++;
        }
        List<Link> group = links.subList(from, to);
        Map<UUID, List<ChainedTransfer>> ts = transfersOf(group);
        Map<UUID, List<ChainedEntry>> es = entriesOf(group);
        Map<UUID, Archived> archived = n.archivedMonths.isEmpty() ? Map.of() : archivedOf(group);
        for (Link link : group) {
          n.batches++;
          if (link.seq() != expectedSeq) {
            return broken(n, link, "seq " + expectedSeq + " is missing");
          }
          if (!Arrays.equals(link.prevHash(), prev)) {
            return broken(n, link, "prev_hash is not the hash of the link before");
          }
          List<ChainedTransfer> t = ts.getOrDefault(link.batchId(), List.of());
          List<ChainedEntry> e = es.getOrDefault(link.batchId(), List.of());
          Archived a = archived.get(link.batchId());
          int archivedTransfers = a == null ? 0 : a.transfers();
          int archivedEntries = a == null ? 0 : a.entries();
          n.transfers += t.size();
          n.entries += e.size();
          if (t.size() + archivedTransfers != link.transfers()
              || e.size() + archivedEntries != link.entries()) {
            return broken(
                n,
                link,
                "the batch has "
                    + t.size()
                    + " transfers and "
                    + e.size()
                    + " entries"
                    + (a == null
                        ? ""
                        : " (plus " + archivedTransfers + " and " + archivedEntries + " archived)")
                    + ", its link says "
                    + link.transfers()
                    + " and "
                    + link.entries());
          }
          if (a != null) {
            // Rows in an archived month cannot be rehashed here: the link must be the one the
            // archive index recorded (restore rehashes them, and checks the files' SHA-256).
            if (!Arrays.equals(a.hash(), link.hash())) {
              return broken(n, link, "the link's hash is not the one its archive index recorded");
            }
            n.archivedBatches++;
            n.archivedTransfers += archivedTransfers;
            n.archivedEntries += archivedEntries;
            prev = link.hash();
            expectedSeq++;
            continue;
          }
          byte[] hash = CanonicalBatch.hash(prev, link.seq(), link.batchId(), link.at(), t, e);
          if (!Arrays.equals(hash, link.hash())) {
            return broken(n, link, "the batch's content does not match its hash");
          }
          prev = hash;
          expectedSeq++;
        }
        from = to;
      }
    }
    @Nullable UUID orphan =
        jdbc.sql(
                """
                select t.batch_id from ledger_transfer t
                where t.batch_id is not null
                  and not exists (select 1 from ledger_chain c where c.batch_id = t.batch_id)
                limit 1""")
            .query((rs, i) -> rs.getObject(1, UUID.class))
            .optional()
            .orElse(null);
    String head = n.batches == 0 ? null : CanonicalBatch.hex(prev);
    if (orphan != null) {
      return verification(
          n,
          false,
          head,
          null,
          orphan,
          "transfers name batch " + orphan + ", which has no link in the chain");
    }
    return verification(n, true, head, null, null, null);
  }

  private static Verification verification(
      Counts n,
      boolean ok,
      @Nullable String head,
      @Nullable Long brokenSeq,
      @Nullable UUID brokenBatchId,
      @Nullable String reason) {
    return new Verification(
        ok,
        n.batches,
        n.transfers,
        n.entries,
        n.preChain,
        head,
        brokenSeq,
        brokenBatchId,
        reason,
        n.archivedMonths,
        n.archivedBatches,
        n.archivedTransfers,
        n.archivedEntries);
  }

  /** The archived rows of the group's batches, summed over archived months. */
  private Map<UUID, Archived> archivedOf(List<Link> group) {
    Map<UUID, Archived> byBatch = new HashMap<>();
    jdbc.sql(
            """
            select batch_id, sum(transfers)::int, sum(entries)::int, (array_agg(hash))[1]
            from ledger_archive_batch where batch_id = any(?::uuid[]) group by batch_id
            having count(distinct hash) = 1""")
        .param(batchIds(group))
        .query(
            (rs, i) ->
                byBatch.put(
                    rs.getObject(1, UUID.class),
                    new Archived(rs.getInt(2), rs.getInt(3), rs.getBytes(4))))
        .list();
    return byBatch;
  }

  /** The next links after {@code afterSeq}, in seq order. */
  private List<Link> links(long afterSeq) {
    return jdbc.sql(
            """
            select seq, batch_id, prev_hash, hash, transfers, entries, created_at
            from ledger_chain where seq > ? order by seq limit ?""")
        .params(afterSeq, linksPerRead)
        .query(
            (rs, i) ->
                new Link(
                    rs.getLong(1),
                    rs.getObject(2, UUID.class),
                    rs.getBytes(3),
                    rs.getBytes(4),
                    rs.getInt(5),
                    rs.getInt(6),
                    instant(rs, 7)))
        .list();
  }

  private Map<UUID, List<ChainedTransfer>> transfersOf(List<Link> group) {
    Map<UUID, List<ChainedTransfer>> byBatch = new HashMap<>();
    jdbc.sql(
            """
            select batch_id, id, kind, debit_account_id, credit_account_id, amount, asset,
                   reference, pending_id, reverses_id, legacy_ref, timeout_at, created_at, metadata
            from ledger_transfer where batch_id = any(?::uuid[])""")
        .param(batchIds(group))
        .query(
            (rs, i) ->
                byBatch
                    .computeIfAbsent(rs.getObject("batch_id", UUID.class), k -> new ArrayList<>())
                    .add(transfer(rs, i)))
        .list();
    return byBatch;
  }

  private Map<UUID, List<ChainedEntry>> entriesOf(List<Link> group) {
    Map<UUID, List<ChainedEntry>> byBatch = new HashMap<>();
    jdbc.sql(
            """
            select t.batch_id, e.transfer_id, e.direction, e.account_id, e.amount, e.created_at
            from ledger_entry e join ledger_transfer t on t.id = e.transfer_id
            where t.batch_id = any(?::uuid[])""")
        .param(batchIds(group))
        .query(
            (rs, i) ->
                byBatch
                    .computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                    .add(
                        new ChainedEntry(
                            rs.getObject(2, UUID.class),
                            rs.getString(3).charAt(0),
                            rs.getObject(4, UUID.class),
                            rs.getBigDecimal(5).toBigIntegerExact(),
                            instant(rs, 6))))
        .list();
    return byBatch;
  }

  private static String[] batchIds(List<Link> group) {
    return group.stream().map(l -> l.batchId().toString()).toArray(String[]::new);
  }

  private static Verification broken(Counts n, Link link, String reason) {
    return verification(
        n,
        false,
        null,
        link.seq(),
        link.batchId(),
        "batch seq " + link.seq() + " (" + link.batchId() + "): " + reason);
  }

  private static ChainedTransfer transfer(ResultSet rs, int row) throws SQLException {
    return new ChainedTransfer(
        rs.getObject("id", UUID.class),
        rs.getString("kind"),
        rs.getObject("debit_account_id", UUID.class),
        rs.getObject("credit_account_id", UUID.class),
        rs.getBigDecimal("amount").toBigIntegerExact(),
        rs.getString("asset"),
        rs.getString("reference"),
        rs.getObject("pending_id", UUID.class),
        rs.getObject("reverses_id", UUID.class),
        rs.getString("legacy_ref"),
        rs.getObject("timeout_at") == null ? null : instant(rs, "timeout_at"),
        instant(rs, "created_at"),
        rs.getString("metadata"));
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }
}
