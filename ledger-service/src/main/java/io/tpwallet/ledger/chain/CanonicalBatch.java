package io.tpwallet.ledger.chain;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The canonical encoding of one batch and its link hash, version 1. Written and verified by the
 * same code, and specified in docs/ledger-service.md so that an auditor can recompute it:
 *
 * <pre>
 * field    = byte-length ":" UTF-8 bytes        (null: "-")
 * content  = "tpw-ledger-chain-v1\n"
 *            "B" field(seq) field(batchId) field(createdAt) field(#transfers) field(#entries) "\n"
 *            per transfer, by id:              "T" id kind debit credit amount asset reference
 *                                                  pendingId reversesId legacyRef timeoutAt
 *                                                  createdAt "\n"   (each a field)
 *            per entry, by transfer id, then C before D: "E" transferId direction account amount
 *                                                  createdAt "\n"
 * hash     = SHA-256(prevHash (32 bytes; zeros before seq 1) || content)
 * </pre>
 *
 * Ids are lowercase UUID strings, amounts decimal strings of minor units, timestamps epoch
 * microseconds (what PostgreSQL stores). The length prefix makes the encoding unambiguous whatever
 * a reference contains.
 */
public final class CanonicalBatch {

  public static final String VERSION = "tpw-ledger-chain-v1";

  /** The hash before the first link. */
  public static final byte[] GENESIS = new byte[32];

  private CanonicalBatch() {}

  /** The link hash of a batch; the order of the lists does not matter. */
  public static byte[] hash(
      byte[] prevHash,
      long seq,
      UUID batchId,
      Instant createdAt,
      List<ChainedTransfer> transfers,
      List<ChainedEntry> entries) {
    MessageDigest sha = sha256();
    sha.update(prevHash);
    sha.update(encode(seq, batchId, createdAt, transfers, entries));
    return sha.digest();
  }

  /** The canonical content of a batch (without the previous hash). */
  public static byte[] encode(
      long seq,
      UUID batchId,
      Instant createdAt,
      List<ChainedTransfer> transfers,
      List<ChainedEntry> entries) {
    var out = new Writer();
    out.raw(VERSION + "\n");
    out.raw("B");
    out.field(Long.toString(seq));
    out.field(id(batchId));
    out.field(micros(createdAt));
    out.field(Integer.toString(transfers.size()));
    out.field(Integer.toString(entries.size()));
    out.raw("\n");
    List<ChainedTransfer> sortedTransfers = new ArrayList<>(transfers);
    sortedTransfers.sort(Comparator.comparing(t -> id(t.id())));
    for (ChainedTransfer t : sortedTransfers) {
      out.raw("T");
      out.field(id(t.id()));
      out.field(t.kind());
      out.field(id(t.debitAccountId()));
      out.field(id(t.creditAccountId()));
      out.field(t.amount().toString());
      out.field(t.asset());
      out.field(t.reference());
      out.field(t.pendingId() == null ? null : id(t.pendingId()));
      out.field(t.reversesId() == null ? null : id(t.reversesId()));
      out.field(t.legacyRef());
      out.field(t.timeoutAt() == null ? null : micros(t.timeoutAt()));
      out.field(micros(t.createdAt()));
      if (t.metadata() != null) {
        // Only present when there is metadata, so that every link hashed before metadata existed
        // (and every transfer without it) keeps its bytes; the length prefix keeps it unambiguous.
        out.field(t.metadata());
      }
      out.raw("\n");
    }
    List<ChainedEntry> sortedEntries = new ArrayList<>(entries);
    sortedEntries.sort(
        Comparator.comparing((ChainedEntry e) -> id(e.transferId()))
            .thenComparing(ChainedEntry::direction));
    for (ChainedEntry e : sortedEntries) {
      out.raw("E");
      out.field(id(e.transferId()));
      out.field(String.valueOf(e.direction()));
      out.field(id(e.accountId()));
      out.field(e.amount().toString());
      out.field(micros(e.createdAt()));
      out.raw("\n");
    }
    return out.bytes();
  }

  static String id(UUID id) {
    // UUID.toString is lowercase; said here because the encoding depends on it.
    return id.toString().toLowerCase(java.util.Locale.ROOT);
  }

  static String micros(Instant t) {
    return Long.toString(
        Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000));
  }

  public static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  private static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    void raw(String s) {
      out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    void field(@Nullable String value) {
      if (value == null) {
        raw("-");
        return;
      }
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      raw(bytes.length + ":");
      out.writeBytes(bytes);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
