package io.tpwallet.ledger.chain;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Recomputes every link of the chain from the rows of its batch, in one read-only repeatable-read
 * snapshot (so that batches committing meanwhile are either wholly in or wholly out), and reports
 * the first link that does not match: a gap in seq, a prev_hash that is not the previous hash, a
 * count or a hash that differs from the recomputed one. Then it looks for transfers that name a
 * batch without a link. Plain JDBC and no Spring context, so that the CLI can use it too.
 */
public final class ChainVerifier {

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;

  public ChainVerifier(JdbcClient jdbc, PlatformTransactionManager transactions) {
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

  private Verification run() {
    long preChain =
        jdbc.sql("select count(*) from ledger_transfer where batch_id is null")
            .query(Long.class)
            .single();
    byte[] prev = CanonicalBatch.GENESIS;
    long expectedSeq = 1;
    long transfers = 0;
    long entries = 0;
    List<Link> links =
        jdbc.sql(
                """
                select seq, batch_id, prev_hash, hash, transfers, entries, created_at
                from ledger_chain order by seq""")
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
    for (Link link : links) {
      if (link.seq() != expectedSeq) {
        return broken(
            links.size(), transfers, entries, preChain, link, "seq " + expectedSeq + " is missing");
      }
      if (!Arrays.equals(link.prevHash(), prev)) {
        return broken(
            links.size(),
            transfers,
            entries,
            preChain,
            link,
            "prev_hash is not the hash of the link before");
      }
      List<ChainedTransfer> ts =
          jdbc.sql(
                  """
                  select id, kind, debit_account_id, credit_account_id, amount, asset, reference,
                         pending_id, reverses_id, legacy_ref, timeout_at, created_at
                  from ledger_transfer where batch_id = ?""")
              .param(link.batchId())
              .query(ChainVerifier::transfer)
              .list();
      List<ChainedEntry> es =
          jdbc.sql(
                  """
                  select e.transfer_id, e.direction, e.account_id, e.amount, e.created_at
                  from ledger_entry e join ledger_transfer t on t.id = e.transfer_id
                  where t.batch_id = ?""")
              .param(link.batchId())
              .query(
                  (rs, i) ->
                      new ChainedEntry(
                          rs.getObject(1, UUID.class),
                          rs.getString(2).charAt(0),
                          rs.getObject(3, UUID.class),
                          rs.getBigDecimal(4).toBigIntegerExact(),
                          instant(rs, 5)))
              .list();
      transfers += ts.size();
      entries += es.size();
      if (ts.size() != link.transfers() || es.size() != link.entries()) {
        return broken(
            links.size(),
            transfers,
            entries,
            preChain,
            link,
            "the batch has "
                + ts.size()
                + " transfers and "
                + es.size()
                + " entries, its link says "
                + link.transfers()
                + " and "
                + link.entries());
      }
      byte[] hash = CanonicalBatch.hash(prev, link.seq(), link.batchId(), link.at(), ts, es);
      if (!Arrays.equals(hash, link.hash())) {
        return broken(
            links.size(),
            transfers,
            entries,
            preChain,
            link,
            "the batch's content does not match its hash");
      }
      prev = hash;
      expectedSeq++;
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
    if (orphan != null) {
      return new Verification(
          false,
          links.size(),
          transfers,
          entries,
          preChain,
          CanonicalBatch.hex(prev),
          null,
          orphan,
          "transfers name batch " + orphan + ", which has no link in the chain");
    }
    return new Verification(
        true,
        links.size(),
        transfers,
        entries,
        preChain,
        links.isEmpty() ? null : CanonicalBatch.hex(prev),
        null,
        null,
        null);
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
        instant(rs, "created_at"));
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }
}
