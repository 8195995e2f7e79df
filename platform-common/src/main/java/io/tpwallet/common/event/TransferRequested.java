package io.tpwallet.common.event;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A command to ledger-service: move {@code amount} minor units from the debit account to the credit
 * account. The transfer id is made by the sender and is the idempotency key: the ledger applies a
 * transfer id at most once. With {@code importedAt} and {@code legacyRef} (both or neither) it is a
 * transfer of a legacy system's history (migration-service): posted with its historical time.
 */
public record TransferRequested(
    UUID transferId,
    UUID debitAccountId,
    UUID creditAccountId,
    String amount,
    String asset,
    String reference,
    @Nullable Instant importedAt,
    @Nullable String legacyRef) {

  /** A live transfer, not imported history. */
  public TransferRequested(
      UUID transferId,
      UUID debitAccountId,
      UUID creditAccountId,
      String amount,
      String asset,
      String reference) {
    this(transferId, debitAccountId, creditAccountId, amount, asset, reference, null, null);
  }
}
