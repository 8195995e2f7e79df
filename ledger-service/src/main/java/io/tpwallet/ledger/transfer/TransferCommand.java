package io.tpwallet.ledger.transfer;

import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A request to move {@code amount} minor units of {@code asset} from the debit account to the
 * credit account, or, when {@code pending}, to hold that amount until the hold is posted, voided or
 * expires ({@code timeoutSeconds} after it was placed; 0 is never). The id is made by the caller
 * and is the idempotency key. The amount is not range-checked here: an out-of-range amount is a
 * refusal ({@link TransferResult#INVALID_AMOUNT}) that the ledger answers, not a programmer error.
 * {@code metadata} is the caller's JSON object in canonical text, checked by {@link
 * TransferMetadata}, or null.
 */
public record TransferCommand(
    UUID id,
    UUID debitAccountId,
    UUID creditAccountId,
    BigInteger amount,
    String asset,
    String reference,
    boolean pending,
    long timeoutSeconds,
    boolean linked,
    @Nullable Instant importedAt,
    @Nullable String legacyRef,
    @Nullable String metadata)
    implements LedgerCommand {

  public static final int LEGACY_REF_LENGTH_MAX = 128;

  public static final int REFERENCE_LENGTH_MAX = 256;

  /** The longest a hold may stay open before the ledger expires it: 30 days. */
  public static final long TIMEOUT_SECONDS_MAX = 30L * 24 * 3600;

  /** A transfer or hold without metadata. */
  public TransferCommand(
      UUID id,
      UUID debitAccountId,
      UUID creditAccountId,
      BigInteger amount,
      String asset,
      String reference,
      boolean pending,
      long timeoutSeconds,
      boolean linked,
      @Nullable Instant importedAt,
      @Nullable String legacyRef) {
    this(
        id,
        debitAccountId,
        creditAccountId,
        amount,
        asset,
        reference,
        pending,
        timeoutSeconds,
        linked,
        importedAt,
        legacyRef,
        null);
  }

  public TransferCommand {
    if (metadata != null
        && metadata.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
            > TransferMetadata.BYTES_MAX) {
      throw new IllegalArgumentException(
          "metadata must be at most " + TransferMetadata.BYTES_MAX + " bytes");
    }
    if (reference.length() > REFERENCE_LENGTH_MAX) {
      throw new IllegalArgumentException(
          "reference must be at most " + REFERENCE_LENGTH_MAX + " characters");
    }
    if ((importedAt == null) != (legacyRef == null)) {
      throw new IllegalArgumentException("an imported transfer has both importedAt and legacyRef");
    }
    if (legacyRef != null && (legacyRef.isEmpty() || legacyRef.length() > LEGACY_REF_LENGTH_MAX)) {
      throw new IllegalArgumentException(
          "legacyRef must be 1.." + LEGACY_REF_LENGTH_MAX + " characters");
    }
    if (importedAt != null && pending) {
      throw new IllegalArgumentException("an imported transfer posts; holds are not imported");
    }
    if (importedAt != null) {
      // Microseconds: what PostgreSQL stores, so that a replay compares equal.
      importedAt = importedAt.truncatedTo(ChronoUnit.MICROS);
    }
  }

  /** A transfer or hold that is not imported. */
  public TransferCommand(
      UUID id,
      UUID debitAccountId,
      UUID creditAccountId,
      BigInteger amount,
      String asset,
      String reference,
      boolean pending,
      long timeoutSeconds,
      boolean linked) {
    this(
        id,
        debitAccountId,
        creditAccountId,
        amount,
        asset,
        reference,
        pending,
        timeoutSeconds,
        linked,
        null,
        null);
  }

  /**
   * A transfer of the legacy system's history: it posts at once with the historical time {@code
   * importedAt} as its createdAt, through the same checks as any other.
   */
  public static TransferCommand imported(
      UUID id,
      UUID debitAccountId,
      UUID creditAccountId,
      BigInteger amount,
      String asset,
      String reference,
      Instant importedAt,
      String legacyRef) {
    return new TransferCommand(
        id,
        debitAccountId,
        creditAccountId,
        amount,
        asset,
        reference,
        false,
        0,
        false,
        importedAt,
        legacyRef);
  }

  /** A transfer that posts at once, not linked. */
  public TransferCommand(
      UUID id,
      UUID debitAccountId,
      UUID creditAccountId,
      BigInteger amount,
      String asset,
      String reference) {
    this(id, debitAccountId, creditAccountId, amount, asset, reference, false, 0, false);
  }

  /** A hold of {@code amount} that expires after {@code timeoutSeconds} (0: never). */
  public static TransferCommand hold(
      UUID id,
      UUID debitAccountId,
      UUID creditAccountId,
      BigInteger amount,
      String asset,
      String reference,
      long timeoutSeconds) {
    return new TransferCommand(
        id, debitAccountId, creditAccountId, amount, asset, reference, true, timeoutSeconds, false);
  }

  /** The same command, linked to the next one of its batch or not. */
  public TransferCommand withLinked(boolean linkedToNext) {
    return new TransferCommand(
        id,
        debitAccountId,
        creditAccountId,
        amount,
        asset,
        reference,
        pending,
        timeoutSeconds,
        linkedToNext,
        importedAt,
        legacyRef,
        metadata);
  }

  public TransferKind kind() {
    return pending ? TransferKind.PENDING : TransferKind.SINGLE;
  }
}
