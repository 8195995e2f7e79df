package io.tpwallet.ledger.transfer;

import java.math.BigInteger;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A request to resolve the hold {@code pendingId}: POST it ({@code amount} of it, at most what is
 * held; null posts all of it, and what is not posted is released), VOID it (release all of it) or,
 * from the ledger's own expiry job only, EXPIRE it. The resolution is a new transfer with its own
 * id; the hold itself never changes.
 */
public record ResolveCommand(
    UUID id,
    UUID pendingId,
    TransferKind kind,
    @Nullable BigInteger amount,
    String reference,
    boolean linked)
    implements LedgerCommand {

  public ResolveCommand {
    if (!kind.resolves()) {
      throw new IllegalArgumentException(kind + " does not resolve a hold");
    }
    if (reference.length() > TransferCommand.REFERENCE_LENGTH_MAX) {
      throw new IllegalArgumentException(
          "reference must be at most " + TransferCommand.REFERENCE_LENGTH_MAX + " characters");
    }
  }

  public static ResolveCommand post(
      UUID id, UUID pendingId, @Nullable BigInteger amount, String reference) {
    return new ResolveCommand(id, pendingId, TransferKind.POST, amount, reference, false);
  }

  public static ResolveCommand voiding(UUID id, UUID pendingId, String reference) {
    return new ResolveCommand(id, pendingId, TransferKind.VOID, null, reference, false);
  }

  /**
   * The expiry of a hold. Its id is derived from the hold's, so that the expiry job, run twice or
   * on two instances at once, writes at most one expiry per hold.
   */
  public static ResolveCommand expiry(UUID pendingId) {
    UUID id =
        UUID.nameUUIDFromBytes(
            ("tpw-ledger-expiry:" + pendingId).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return new ResolveCommand(id, pendingId, TransferKind.EXPIRE, null, "expired", false);
  }

  public ResolveCommand withLinked(boolean linkedToNext) {
    return new ResolveCommand(id, pendingId, kind, amount, reference, linkedToNext);
  }
}
