package io.tpwallet.common.event;

import java.util.List;

/**
 * A command to ledger-service: post many transfers, in this order, each on its own (not linked: a
 * refused transfer does not fail the others). One Kafka record instead of one per transfer, for a
 * sender with many transfers at once (migration-service's imported history): the ledger reads one
 * envelope, records one inbox row and writes one answer, {@link TransfersAnswered}, with each
 * transfer's own result. Each transfer id is still the idempotency key of its transfer.
 */
public record TransfersRequested(List<TransferRequested> transfers) {

  /**
   * The most transfers one command carries: about 150 KB of JSON, well under Kafka's default
   * message limit (1 MiB), and a ledger poll of {@code 8189 / 512 = 15} such records is still one
   * ledger batch.
   */
  public static final int TRANSFERS_MAX = 512;

  public TransfersRequested {
    // IllegalArgumentException (wrapped by the JSON reader): the ledger parks such a record on the
    // dead-letter topic at once instead of retrying what can never be applied.
    if (transfers == null || transfers.isEmpty() || transfers.size() > TRANSFERS_MAX) {
      throw new IllegalArgumentException(
          "a transfers command has 1.."
              + TRANSFERS_MAX
              + " transfers, not "
              + (transfers == null ? 0 : transfers.size()));
    }
    for (TransferRequested t : transfers) {
      if (t == null) {
        throw new IllegalArgumentException("a transfers command with a null transfer");
      }
    }
    transfers = List.copyOf(transfers);
  }
}
