package io.tpwallet.ledger.chain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
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

  /** The content before the seq field: the version line and the batch line's tag. */
  static final byte[] BEFORE_SEQ = (VERSION + "\nB").getBytes(StandardCharsets.US_ASCII);

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
    var out = new Writer(128 + 260 * transfers.size() + 110 * entries.size());
    out.raw(BEFORE_SEQ);
    out.field(seq);
    writeAfterSeq(out, batchId, createdAt, transfers, entries);
    return out.bytes();
  }

  /**
   * The content that follows the seq field: content = {@link #BEFORE_SEQ} || field(seq) || this.
   * For a writer that learns the seq only in the statement that appends the link (LedgerChain).
   */
  static byte[] encodeAfterSeq(
      UUID batchId,
      Instant createdAt,
      List<ChainedTransfer> transfers,
      List<ChainedEntry> entries) {
    var out = new Writer(128 + 260 * transfers.size() + 110 * entries.size());
    writeAfterSeq(out, batchId, createdAt, transfers, entries);
    return out.bytes();
  }

  /** The link hash from the parts of the content around the seq field. */
  static byte[] hashAroundSeq(byte[] prevHash, long seq, byte[] afterSeq) {
    var seqField = new Writer(24);
    seqField.field(seq);
    MessageDigest sha = sha256();
    sha.update(prevHash);
    sha.update(BEFORE_SEQ);
    sha.update(seqField.bytes());
    sha.update(afterSeq);
    return sha.digest();
  }

  private static void writeAfterSeq(
      Writer out,
      UUID batchId,
      Instant createdAt,
      List<ChainedTransfer> transfers,
      List<ChainedEntry> entries) {
    out.field(batchId);
    out.field(createdAt);
    out.field(transfers.size());
    out.field(entries.size());
    out.raw('\n');
    ChainedTransfer[] sortedTransfers = transfers.toArray(ChainedTransfer[]::new);
    Arrays.sort(sortedTransfers, (a, b) -> compareAsText(a.id(), b.id()));
    for (ChainedTransfer t : sortedTransfers) {
      out.raw('T');
      out.field(t.id());
      out.field(t.kind());
      out.field(t.debitAccountId());
      out.field(t.creditAccountId());
      out.field(t.amount().toString());
      out.field(t.asset());
      out.field(t.reference());
      out.fieldOrNull(t.pendingId());
      out.fieldOrNull(t.reversesId());
      out.field(t.legacyRef());
      out.fieldOrNull(t.timeoutAt());
      out.field(t.createdAt());
      if (t.metadata() != null) {
        // Only present when there is metadata, so that every link hashed before metadata existed
        // (and every transfer without it) keeps its bytes; the length prefix keeps it unambiguous.
        out.field(t.metadata());
      }
      out.raw('\n');
    }
    ChainedEntry[] sortedEntries = entries.toArray(ChainedEntry[]::new);
    Arrays.sort(
        sortedEntries,
        (a, b) -> {
          int byTransfer = compareAsText(a.transferId(), b.transferId());
          return byTransfer != 0 ? byTransfer : Character.compare(a.direction(), b.direction());
        });
    for (ChainedEntry e : sortedEntries) {
      out.raw('E');
      out.field(e.transferId());
      out.field(String.valueOf(e.direction()));
      out.field(e.accountId());
      out.field(e.amount().toString());
      out.field(e.createdAt());
      out.raw('\n');
    }
  }

  /**
   * Orders ids as their lowercase text sorts, without making the text: fixed-width lowercase hex
   * with the dashes in fixed places sorts as the 128-bit value read unsigned.
   */
  static int compareAsText(UUID a, UUID b) {
    int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return high != 0
        ? high
        : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
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

  /**
   * Writes the fields straight into one array: ids and numbers as ASCII without making strings,
   * text as UTF-8. What it writes is the format above and nothing else.
   */
  private static final class Writer {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int ID_LENGTH = 36;

    private byte[] buf;
    private int size;

    Writer(int capacity) {
      buf = new byte[capacity];
    }

    void raw(byte[] bytes) {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, size, bytes.length);
      size += bytes.length;
    }

    void raw(char ascii) {
      ensure(1);
      buf[size++] = (byte) ascii;
    }

    void field(@Nullable String value) {
      if (value == null) {
        raw('-');
        return;
      }
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      length(bytes.length);
      raw(bytes);
    }

    void field(long value) {
      field(Long.toString(value));
    }

    void field(Instant t) {
      field(micros(t));
    }

    void fieldOrNull(@Nullable Instant t) {
      if (t == null) {
        raw('-');
      } else {
        field(t);
      }
    }

    /** An id as UUID.toString writes it, lowercase: 8-4-4-4-12 hex digits. */
    void field(UUID id) {
      length(ID_LENGTH);
      ensure(ID_LENGTH);
      long msb = id.getMostSignificantBits();
      long lsb = id.getLeastSignificantBits();
      hex(msb >>> 32, 8);
      buf[size++] = '-';
      hex(msb >>> 16, 4);
      buf[size++] = '-';
      hex(msb, 4);
      buf[size++] = '-';
      hex(lsb >>> 48, 4);
      buf[size++] = '-';
      hex(lsb, 12);
    }

    void fieldOrNull(@Nullable UUID id) {
      if (id == null) {
        raw('-');
      } else {
        field(id);
      }
    }

    private void hex(long value, int digits) {
      for (int i = digits - 1; i >= 0; i--) {
        buf[size + i] = HEX[(int) (value & 0xF)];
        value >>>= 4;
      }
      size += digits;
    }

    private void length(int n) {
      raw(Integer.toString(n).getBytes(StandardCharsets.US_ASCII));
      raw(':');
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    byte[] bytes() {
      return Arrays.copyOf(buf, size);
    }
  }
}
