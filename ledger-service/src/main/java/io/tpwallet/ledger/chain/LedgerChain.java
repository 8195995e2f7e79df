package io.tpwallet.ledger.chain;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Appends a batch's link to the hash chain, inside the batch's transaction, and verifies the chain.
 *
 * <p>The chain is linear because appending takes a transaction-scoped advisory lock that is held
 * until commit: the next batch reads the head only after this one committed (or rolled back). To
 * keep that lock short, the batch's deferred check (reversal sums; double entry is checked per
 * statement) is run before it is taken, so the lock covers one select, one insert and the commit
 * itself.
 */
@Component
public class LedgerChain {

  /** The advisory lock key that serialises chain appends: "tpw_ledg" in ASCII. */
  static final long CHAIN_LOCK_KEY = 0x7470775f6c656467L;

  private final JdbcClient jdbc;
  private final ChainVerifier verifier;

  LedgerChain(JdbcClient jdbc, PlatformTransactionManager transactions) {
    this.jdbc = jdbc;
    this.verifier = new ChainVerifier(jdbc, transactions);
  }

  /** The link just written. */
  public record Link(long seq, byte[] hash) {}

  /**
   * Writes the link of the batch {@code batchId}, whose rows the caller has written in the current
   * transaction with that batch id. Must be the batch's last write.
   */
  public Link append(
      UUID batchId,
      Instant createdAt,
      List<ChainedTransfer> transfers,
      List<ChainedEntry> entries) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalStateException("a chain link is written in its batch's transaction");
    }
    if (transfers.isEmpty()) {
      throw new IllegalArgumentException("a batch that writes no transfer has no link");
    }
    jdbc.sql("set constraints all immediate").update();
    jdbc.sql("select pg_advisory_xact_lock(?)").param(CHAIN_LOCK_KEY).query((rs, i) -> 1).list();
    Head head =
        jdbc.sql("select seq, hash from ledger_chain order by seq desc limit 1")
            .query((rs, i) -> new Head(rs.getLong(1), rs.getBytes(2)))
            .optional()
            .orElse(new Head(0, CanonicalBatch.GENESIS));
    long seq = head.seq() + 1;
    byte[] hash = CanonicalBatch.hash(head.hash(), seq, batchId, createdAt, transfers, entries);
    jdbc.sql(
            """
            insert into ledger_chain (seq, batch_id, prev_hash, hash, transfers, entries, created_at)
            values (?, ?, ?, ?, ?, ?, ?)""")
        .params(
            seq,
            batchId,
            head.hash(),
            hash,
            transfers.size(),
            entries.size(),
            createdAt.atOffset(ZoneOffset.UTC))
        .update();
    return new Link(seq, hash);
  }

  /** Recomputes the whole chain in one snapshot; see {@link ChainVerifier}. */
  public Verification verify() {
    return verifier.verify();
  }

  private record Head(long seq, byte[] hash) {}
}
