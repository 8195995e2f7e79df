package io.tpwallet.ledger.transfer;

import java.math.BigInteger;
import java.time.Instant;
import java.util.UUID;

/** A posted transfer: its debit and credit entries are committed and it never changes. */
public record Transfer(
    UUID id,
    UUID debitAccountId,
    UUID creditAccountId,
    BigInteger amount,
    String asset,
    String reference,
    Instant createdAt) {

  /** Whether {@code command} asks for exactly this transfer (so that it is a replay). */
  public boolean sameAs(TransferCommand command) {
    return id.equals(command.id())
        && debitAccountId.equals(command.debitAccountId())
        && creditAccountId.equals(command.creditAccountId())
        && amount.equals(command.amount())
        && asset.equals(command.asset())
        && reference.equals(command.reference());
  }
}
