package io.tpwallet.ledger.transfer;

import java.math.BigInteger;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A request to reverse the posted transfer {@code originalId}: a new SINGLE transfer the other way
 * (debit and credit swapped) that names the original, which never changes. {@code amount} null
 * reverses all that is left to reverse; partial reversals of one transfer add up to at most its
 * amount.
 */
public record ReverseCommand(
    UUID id, UUID originalId, @Nullable BigInteger amount, String reference, boolean linked)
    implements LedgerCommand {

  public ReverseCommand {
    if (reference.length() > TransferCommand.REFERENCE_LENGTH_MAX) {
      throw new IllegalArgumentException(
          "reference must be at most " + TransferCommand.REFERENCE_LENGTH_MAX + " characters");
    }
  }

  public static ReverseCommand of(
      UUID id, UUID originalId, @Nullable BigInteger amount, String reference) {
    return new ReverseCommand(id, originalId, amount, reference, false);
  }

  public ReverseCommand withLinked(boolean linkedToNext) {
    return new ReverseCommand(id, originalId, amount, reference, linkedToNext);
  }
}
