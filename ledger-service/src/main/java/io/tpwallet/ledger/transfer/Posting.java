package io.tpwallet.ledger.transfer;

import org.jspecify.annotations.Nullable;

/**
 * The answer to a posting: the result code, the transfer stored under the id (when there is one)
 * and a sentence a person can read.
 */
public record Posting(TransferResult result, @Nullable Transfer transfer, String detail) {

  public Posting {
    if (result.posted() && transfer == null) {
      throw new IllegalArgumentException(result + " needs the posted transfer");
    }
  }
}
