package io.tpwallet.ledger.chain;

import io.tpwallet.ledger.jdbc.Pipeline;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
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
 * statement) is run before it is taken, so the lock covers one insert and the commit itself.
 */
@Component
public class LedgerChain {

  /** The advisory lock key that serialises chain appends: "tpw_ledg" in ASCII. */
  static final long CHAIN_LOCK_KEY = 0x7470775f6c656467L;

  private final ChainVerifier verifier;

  LedgerChain(JdbcClient jdbc, PlatformTransactionManager transactions) {
    this.verifier = new ChainVerifier(jdbc, transactions);
  }

  /**
   * Writes the link of the batch {@code batchId}, whose rows the caller has written in the current
   * transaction with that batch id, as the last steps of {@code pipeline}, written when it runs.
   * Must be the batch's last write.
   *
   * <p>Three statements, sent with the caller's writes in one round trip: the deferred checks, the
   * chain lock, and one insert that reads the head and hashes the new link in the database. The
   * insert starts after the lock is granted, so its snapshot sees the head the previous holder
   * committed. The encoding stays in Java ({@link CanonicalBatch}): the database only concatenates
   * the previous hash, the constant before the seq field, the seq field and the rest, and takes the
   * SHA-256; the link it wrote is checked against the hash computed here before anything commits.
   */
  public void append(
      UUID batchId,
      Instant createdAt,
      List<ChainedTransfer> transfers,
      List<ChainedEntry> entries,
      Pipeline pipeline) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalStateException("a chain link is written in its batch's transaction");
    }
    if (transfers.isEmpty()) {
      throw new IllegalArgumentException("a batch that writes no transfer has no link");
    }
    byte[] afterSeq = CanonicalBatch.encodeAfterSeq(batchId, createdAt, transfers, entries);
    pipeline
        .update("set constraints all immediate")
        .query("select pg_advisory_xact_lock(?)", rs -> {}, CHAIN_LOCK_KEY)
        .query(
            """
            with head as (select seq, hash from ledger_chain order by seq desc limit 1),
            h as (
              select seq, hash from head
              union all
              select 0, decode(repeat('00', 32), 'hex') where not exists (select 1 from head))
            insert into ledger_chain (seq, batch_id, prev_hash, hash, transfers, entries, created_at)
            select h.seq + 1, ?, h.hash,
                sha256(h.hash || ?::bytea
                    || convert_to(length((h.seq + 1)::text) || ':' || (h.seq + 1)::text, 'UTF8')
                    || ?::bytea),
                ?, ?, ?
            from h
            returning seq, prev_hash, hash""",
            rs -> {
              long seq = rs.getLong("seq");
              byte[] hash = rs.getBytes("hash");
              byte[] expected =
                  CanonicalBatch.hashAroundSeq(rs.getBytes("prev_hash"), seq, afterSeq);
              if (!Arrays.equals(hash, expected)) {
                throw new IllegalStateException(
                    "the database hashed link " + seq + " otherwise than CanonicalBatch");
              }
            },
            batchId,
            CanonicalBatch.BEFORE_SEQ,
            afterSeq,
            transfers.size(),
            entries.size(),
            createdAt.atOffset(ZoneOffset.UTC));
  }

  /** Recomputes the whole chain in one snapshot; see {@link ChainVerifier}. */
  public Verification verify() {
    return verifier.verify();
  }
}
