package io.tpwallet.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The chain's canonical encoding is a published format: the vector here was computed by an
 * independent implementation of the specification in docs/ledger-service.md (a few lines of
 * Python), so that a change of the Java encoder that would break every stored chain fails here.
 */
class CanonicalBatchTests {

  static final UUID TRANSFER = UUID.fromString("0190f1e2-0000-7000-8000-000000000001");
  static final UUID DEBIT = UUID.fromString("0190f1e2-0000-7000-8000-0000000000AA");
  static final UUID CREDIT = UUID.fromString("0190f1e2-0000-7000-8000-0000000000bb");
  static final UUID BATCH = UUID.fromString("0190f1e2-0000-7000-8000-0000000000ff");
  static final Instant AT = Instant.ofEpochSecond(1_700_000_000L, 123_456_789L);
  static final BigInteger AMOUNT = new BigInteger("123456789012345678901234567890");

  @Test
  void theEncodingAndHashMatchTheSpecification() {
    byte[] prev = countingPrev();
    ChainedTransfer transfer = transfer(AMOUNT, "café | 3:x\n", "ETH", "L-9");
    // Given in the other order: the encoding sorts.
    List<ChainedEntry> entries =
        List.of(
            new ChainedEntry(TRANSFER, 'D', DEBIT, AMOUNT, AT),
            new ChainedEntry(TRANSFER, 'C', CREDIT, AMOUNT, AT));

    byte[] hash = CanonicalBatch.hash(prev, 7, BATCH, AT, List.of(transfer), entries);

    assertThat(CanonicalBatch.hex(hash))
        .isEqualTo("e99add5be64b1a2b02990b8b3660db84cdfd85259fb65e34d94c402a492d0e99");
    String text =
        new String(
            CanonicalBatch.encode(7, BATCH, AT, List.of(transfer), entries),
            StandardCharsets.UTF_8);
    assertThat(text)
        .startsWith(
            "tpw-ledger-chain-v1\nB1:736:0190f1e2-0000-7000-8000-0000000000ff16:1700000000123456"
                + "1:11:2\n")
        .contains("12:café | 3:x\n--3:L-9-16:1700000000123456\n");
  }

  @Test
  void metadataIsATrailingFieldOnlyWhenPresent() {
    byte[] prev = countingPrev();
    String metadata = "{\"order\":{\"id\":\"ö-1\",\"lines\":[1,2]}}";
    ChainedTransfer transfer = transfer(AMOUNT, "café | 3:x\n", "ETH", "L-9", metadata);
    List<ChainedEntry> entries =
        List.of(
            new ChainedEntry(TRANSFER, 'D', DEBIT, AMOUNT, AT),
            new ChainedEntry(TRANSFER, 'C', CREDIT, AMOUNT, AT));

    byte[] hash = CanonicalBatch.hash(prev, 7, BATCH, AT, List.of(transfer), entries);

    // Computed by the same independent implementation, with the 13th field.
    assertThat(CanonicalBatch.hex(hash))
        .isEqualTo("6634bb69c315767c46da250fe77f208a8eb5b5df347541e1abc6c23f8ba6592c");
    assertThat(
            new String(
                CanonicalBatch.encode(7, BATCH, AT, List.of(transfer), entries),
                StandardCharsets.UTF_8))
        .contains("16:1700000000123456" + "37:" + metadata + "\n");
  }

  @Test
  void anyChangedFieldOrPreviousHashChangesTheHash() {
    byte[] base = hash(CanonicalBatch.GENESIS, transfer(BigInteger.TEN, "r", "USD", null));
    assertThat(hash(CanonicalBatch.GENESIS, transfer(BigInteger.valueOf(11), "r", "USD", null)))
        .isNotEqualTo(base);
    assertThat(hash(CanonicalBatch.GENESIS, transfer(BigInteger.TEN, "r", "USD", "L")))
        .isNotEqualTo(base);
    assertThat(hash(CanonicalBatch.GENESIS, transfer(BigInteger.TEN, "r", "USD", null, "{}")))
        .isNotEqualTo(base);
    byte[] prev = new byte[32];
    prev[31] = 1;
    assertThat(hash(prev, transfer(BigInteger.TEN, "r", "USD", null))).isNotEqualTo(base);
    // A reference that mimics a field boundary is still another batch (length prefixes).
    assertThat(hash(CanonicalBatch.GENESIS, transfer(BigInteger.TEN, "r3:USD", "", null)))
        .isNotEqualTo(hash(CanonicalBatch.GENESIS, transfer(BigInteger.TEN, "r", "3:USD", null)));
  }

  /**
   * Generated batches (many transfers in random order, ids whose text and signed value sort
   * differently, text with non-ASCII, nulls, metadata or not, times before 1970) encode to what a
   * plain reading of the specification gives, so that the encoder's shortcuts never change the
   * bytes of a link.
   */
  @Test
  void generatedBatchesEncodeAsTheSpecificationReads() {
    long seed = Long.getLong("tpw.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int run = 0; run < 500; run++) {
      List<ChainedTransfer> transfers = new ArrayList<>();
      List<ChainedEntry> entries = new ArrayList<>();
      int n = 1 + random.nextInt(run % 10 == 0 ? 300 : 6);
      for (int i = 0; i < n; i++) {
        ChainedTransfer t = generated(random);
        transfers.add(t);
        if (random.nextBoolean()) {
          entries.add(new ChainedEntry(t.id(), 'D', t.debitAccountId(), t.amount(), t.createdAt()));
          entries.add(
              new ChainedEntry(t.id(), 'C', t.creditAccountId(), t.amount(), t.createdAt()));
        }
      }
      Collections.shuffle(transfers, random);
      Collections.shuffle(entries, random);
      long seq = 1 + random.nextInt(Integer.MAX_VALUE);
      UUID batch = id(random);
      Instant at = instant(random);

      assertThat(
              new String(
                  CanonicalBatch.encode(seq, batch, at, transfers, entries),
                  StandardCharsets.UTF_8))
          .as("run %d, replay with -Dtpw.seed=%d", run, seed)
          .isEqualTo(asSpecified(seq, batch, at, transfers, entries));
    }
  }

  /** docs/ledger-service.md's encoding, written the plain way: strings, then UTF-8. */
  private static String asSpecified(
      long seq, UUID batch, Instant at, List<ChainedTransfer> ts, List<ChainedEntry> es) {
    var out = new StringBuilder("tpw-ledger-chain-v1\nB");
    out.append(f(seq)).append(f(batch)).append(f(at)).append(f(ts.size())).append(f(es.size()));
    out.append('\n');
    Comparator<UUID> byText = Comparator.comparing(UUID::toString);
    for (ChainedTransfer t :
        ts.stream().sorted(Comparator.comparing(ChainedTransfer::id, byText)).toList()) {
      out.append('T').append(f(t.id())).append(f(t.kind())).append(f(t.debitAccountId()));
      out.append(f(t.creditAccountId())).append(f(t.amount())).append(f(t.asset()));
      out.append(f(t.reference())).append(f(t.pendingId())).append(f(t.reversesId()));
      out.append(f(t.legacyRef())).append(f(t.timeoutAt())).append(f(t.createdAt()));
      out.append(t.metadata() == null ? "" : f(t.metadata())).append('\n');
    }
    Comparator<ChainedEntry> order =
        Comparator.comparing(ChainedEntry::transferId, byText)
            .thenComparing(ChainedEntry::direction);
    for (ChainedEntry e : es.stream().sorted(order).toList()) {
      out.append('E').append(f(e.transferId())).append(f(String.valueOf(e.direction())));
      out.append(f(e.accountId())).append(f(e.amount())).append(f(e.createdAt())).append('\n');
    }
    return out.toString();
  }

  private static String f(Object value) {
    if (value == null) {
      return "-";
    }
    String text =
        value instanceof Instant t
            ? new BigInteger(Long.toString(t.getEpochSecond()))
                .multiply(BigInteger.valueOf(1_000_000))
                .add(BigInteger.valueOf(t.getNano() / 1_000))
                .toString()
            : value.toString();
    return text.getBytes(StandardCharsets.UTF_8).length + ":" + text;
  }

  private static ChainedTransfer generated(Random random) {
    String[] kinds = {"SINGLE", "PENDING", "POST", "VOID", "EXPIRE"};
    return new ChainedTransfer(
        id(random),
        kinds[random.nextInt(kinds.length)],
        id(random),
        id(random),
        new BigInteger(1 + random.nextInt(128), random),
        random.nextBoolean() ? "USD" : "ETH",
        text(random),
        random.nextBoolean() ? id(random) : null,
        random.nextInt(4) == 0 ? id(random) : null,
        random.nextBoolean() ? text(random) : null,
        random.nextBoolean() ? instant(random) : null,
        instant(random),
        random.nextBoolean() ? "{\"k\":" + '"' + text(random) + "\"}" : null);
  }

  /** Ids with either sign in both halves, so that unsigned and signed order differ. */
  private static UUID id(Random random) {
    return new UUID(random.nextLong(), random.nextLong());
  }

  private static Instant instant(Random random) {
    return Instant.ofEpochSecond(random.nextInt() / 2, random.nextInt(1_000_000_000));
  }

  private static String text(Random random) {
    var s = new StringBuilder();
    for (int i = random.nextInt(12); i > 0; i--) {
      switch (random.nextInt(4)) {
        case 0 -> s.append((char) (0xA0 + random.nextInt(0x2000)));
        case 1 -> s.appendCodePoint(0x1F300 + random.nextInt(0x300));
        case 2 -> s.append(":-|\n".charAt(random.nextInt(4)));
        default -> s.append((char) (0x20 + random.nextInt(0x5F)));
      }
    }
    return s.toString();
  }

  /** The previous hash of the vectors: bytes 0, 1, 2 ... 31. */
  private static byte[] countingPrev() {
    byte[] prev = new byte[32];
    for (int i = 0; i < 32; i++) {
      prev[i] = (byte) i;
    }
    return prev;
  }

  private static byte[] hash(byte[] prev, ChainedTransfer t) {
    return CanonicalBatch.hash(prev, 1, BATCH, AT, List.of(t), List.of());
  }

  private static ChainedTransfer transfer(
      BigInteger amount, String reference, String asset, String legacyRef) {
    return transfer(amount, reference, asset, legacyRef, null);
  }

  private static ChainedTransfer transfer(
      BigInteger amount, String reference, String asset, String legacyRef, String metadata) {
    return new ChainedTransfer(
        TRANSFER, "SINGLE", DEBIT, CREDIT, amount, asset, reference, null, null, legacyRef, null,
        AT, metadata);
  }
}
