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

  private Verification run() {
    long preChain =
        jdbc.sql("select count(*) from ledger_transfer where batch_id is null")
            .query(Long.class)
            .single();
    byte[] prev = CanonicalBatch.GENESIS;
    long expectedSeq = 1;
    long batches = 0;
    long transfers = 0;
    long entries = 0;
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
        for (Link link : group) {
          batches++;
          if (link.seq() != expectedSeq) {
            return broken(
                batches, transfers, entries, preChain, link, "seq " + expectedSeq + " is missing");
          }
          if (!Arrays.equals(link.prevHash(), prev)) {
            return broken(
                batches,
                transfers,
                entries,
                preChain,
                link,
                "prev_hash is not the hash of the link before");
          }
          List<ChainedTransfer> t = ts.getOrDefault(link.batchId(), List.of());
          List<ChainedEntry> e = es.getOrDefault(link.batchId(), List.of());
          transfers += t.size();
          entries += e.size();
          if (t.size() != link.transfers() || e.size() != link.entries()) {
            return broken(
                batches,
                transfers,
                entries,
                preChain,
                link,
                "the batch has "
                    + t.size()
                    + " transfers and "
                    + e.size()
                    + " entries, its link says "
                    + link.transfers()
                    + " and "
                    + link.entries());
          }
          byte[] hash = CanonicalBatch.hash(prev, link.seq(), link.batchId(), link.at(), t, e);
          if (!Arrays.equals(hash, link.hash())) {
            return broken(
                batches,
                transfers,
                entries,
                preChain,
                link,
                "the batch's content does not match its hash");
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
    String head = batches == 0 ? null : CanonicalBatch.hex(prev);
    if (orphan != null) {
      return new Verification(
          false,
          batches,
          transfers,
          entries,
          preChain,
          head,
          null,
          orphan,
          "transfers name batch " + orphan + ", which has no link in the chain");
    }
    return new Verification(true, batches, transfers, entries, preChain, head, null, null, null);
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

  private static Verification broken(
      long batches, long transfers, long entries, long preChain, Link link, String reason) {
    return new Verification(
        false,
        batches,
        transfers,
        entries,
        preChain,
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
