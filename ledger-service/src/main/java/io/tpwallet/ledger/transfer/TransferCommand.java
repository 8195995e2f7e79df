package io.tpwallet.ledger.transfer;

import java.math.BigInteger;
import java.util.UUID;

/**
 * A request to move {@code amount} minor units of {@code asset} from the debit account to the
 * credit account. The id is made by the caller and is the idempotency key. The amount is not
 * range-checked here: an out-of-range amount is a refusal ({@link TransferResult#INVALID_AMOUNT})
 * that the ledger answers, not a programmer error.
 */
public record TransferCommand(
    UUID id,
    UUID debitAccountId,
    UUID creditAccountId,
    BigInteger amount,
    String asset,
    String reference) {

  public static final int REFERENCE_LENGTH_MAX = 256;

  public TransferCommand {
    if (reference.length() > REFERENCE_LENGTH_MAX) {
      throw new IllegalArgumentException(
          "reference must be at most " + REFERENCE_LENGTH_MAX + " characters");
    }
  }
}
