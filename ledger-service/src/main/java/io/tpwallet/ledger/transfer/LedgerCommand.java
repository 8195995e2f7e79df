package io.tpwallet.ledger.transfer;

import java.util.UUID;

/**
 * One event of a batch: a transfer or hold ({@link TransferCommand}) or the resolution of a hold
 * ({@link ResolveCommand}) or the reversal of a transfer ({@link ReverseCommand}). Its id is made
 * by the caller and is its idempotency key. {@code linked} ties it to the next event of the batch:
 * a chain of linked events succeeds or fails as a whole, and ends at the first event that is not
 * linked.
 */
public sealed interface LedgerCommand permits TransferCommand, ResolveCommand, ReverseCommand {

  UUID id();

  boolean linked();
}
