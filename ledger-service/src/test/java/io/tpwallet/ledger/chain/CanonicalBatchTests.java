package io.tpwallet.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
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
