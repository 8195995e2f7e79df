package io.tpwallet.ledger.transfer;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A committed transfer row; it never changes. For a POST it is the amount posted, for a VOID or
 * EXPIRE the amount released; {@code pendingId} names the hold those resolve. {@code reversesId}
 * names the transfer a reversal reverses; {@code legacyRef} is the legacy system's reference of an
 * imported transfer, whose {@code createdAt} is then its historical time. {@code metadata} is the
 * caller's JSON object in canonical text ({@link TransferMetadata}), or null.
 */
public record Transfer(
    UUID id,
    UUID debitAccountId,
    UUID creditAccountId,
    BigInteger amount,
    String asset,
    String reference,
    TransferKind kind,
    @Nullable UUID pendingId,
    @Nullable Instant timeoutAt,
    Instant createdAt,
    @Nullable UUID reversesId,
    @Nullable String legacyRef,
    @Nullable String metadata) {

  /** A transfer without metadata. */
  public Transfer(
      UUID id,
      UUID debitAccountId,
      UUID creditAccountId,
      BigInteger amount,
      String asset,
      String reference,
      TransferKind kind,
      @Nullable UUID pendingId,
      @Nullable Instant timeoutAt,
      Instant createdAt,
      @Nullable UUID reversesId,
      @Nullable String legacyRef) {
    this(
        id,
        debitAccountId,
        creditAccountId,
        amount,
        asset,
        reference,
        kind,
        pendingId,
        timeoutAt,
        createdAt,
        reversesId,
        legacyRef,
        null);
  }

  /** A transfer that is neither a reversal nor imported. */
  public Transfer(
      UUID id,
      UUID debitAccountId,
      UUID creditAccountId,
      BigInteger amount,
      String asset,
      String reference,
      TransferKind kind,
      @Nullable UUID pendingId,
      @Nullable Instant timeoutAt,
      Instant createdAt) {
    this(
        id,
        debitAccountId,
        creditAccountId,
        amount,
        asset,
        reference,
        kind,
        pendingId,
        timeoutAt,
        createdAt,
        null,
        null);
  }

  /** A transfer that posted at once. */
  public Transfer(
      UUID id,
      UUID debitAccountId,
      UUID creditAccountId,
      BigInteger amount,
      String asset,
      String reference,
      Instant createdAt) {
    this(
        id,
        debitAccountId,
        creditAccountId,
        amount,
        asset,
        reference,
        TransferKind.SINGLE,
        null,
        null,
        createdAt);
  }

  /** Whether {@code command} asks for exactly this transfer (so that it is a replay). */
  public boolean sameAs(TransferCommand command) {
    long timeoutSeconds =
        timeoutAt == null ? 0 : Duration.between(createdAt, timeoutAt).getSeconds();
    return id.equals(command.id())
        && kind == command.kind()
        && debitAccountId.equals(command.debitAccountId())
        && creditAccountId.equals(command.creditAccountId())
        && amount.equals(command.amount())
        && asset.equals(command.asset())
        && reference.equals(command.reference())
        && timeoutSeconds == command.timeoutSeconds()
        && reversesId == null
        && java.util.Objects.equals(legacyRef, command.legacyRef())
        && java.util.Objects.equals(metadata, command.metadata())
        && (command.importedAt() == null || createdAt.equals(command.importedAt()));
  }

  /** Whether {@code command} asks for exactly this reversal (so that it is a replay). */
  public boolean sameAs(ReverseCommand command) {
    BigInteger asked = command.amount();
    return id.equals(command.id())
        && kind == TransferKind.SINGLE
        && command.originalId().equals(reversesId)
        && (asked == null || asked.equals(amount))
        && reference.equals(command.reference());
  }

  /** Whether {@code command} asks for exactly this resolution (so that it is a replay). */
  public boolean sameAs(ResolveCommand command) {
    BigInteger asked = command.amount();
    return id.equals(command.id())
        && kind == command.kind()
        && command.pendingId().equals(pendingId)
        && (asked == null || asked.equals(amount))
        && reference.equals(command.reference());
  }

  public boolean sameAs(LedgerCommand command) {
    if (command instanceof TransferCommand t) {
      return sameAs(t);
    }
    if (command instanceof ResolveCommand r) {
      return sameAs(r);
    }
    return sameAs((ReverseCommand) command);
  }
}
