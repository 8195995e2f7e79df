package io.tpwallet.ledger.transfer;

import java.math.BigInteger;
import java.time.Instant;
import java.util.UUID;

/** One line of an account's statement: half of a posted transfer. */
public record Entry(
    long id,
    UUID transferId,
    Direction direction,
    BigInteger amount,
    String asset,
    UUID counterpartyAccountId,
    String reference,
    Instant createdAt) {

  public enum Direction {
    DEBIT,
    CREDIT
  }
}
