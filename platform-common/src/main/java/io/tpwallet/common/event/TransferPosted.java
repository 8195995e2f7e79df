package io.tpwallet.common.event;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * ledger-service posted a transfer: the debit and credit entries are committed. When the transfer
 * posts a hold, {@code pendingId} names the hold and {@code amount} is what was posted of it.
 */
public record TransferPosted(
    UUID transferId,
    UUID debitAccountId,
    UUID creditAccountId,
    String amount,
    String asset,
    String reference,
    Instant postedAt,
    @Nullable UUID pendingId) {

  /** A transfer posted at once, not from a hold. */
  public TransferPosted(
      UUID transferId,
      UUID debitAccountId,
      UUID creditAccountId,
      String amount,
      String asset,
      String reference,
      Instant postedAt) {
    this(transferId, debitAccountId, creditAccountId, amount, asset, reference, postedAt, null);
  }
}
