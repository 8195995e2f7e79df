package io.tpwallet.common.event;

import java.time.Instant;
import java.util.UUID;

/** ledger-service posted a transfer: the debit and credit entries are committed. */
public record TransferPosted(
    UUID transferId,
    UUID debitAccountId,
    UUID creditAccountId,
    String amount,
    String asset,
    String reference,
    Instant postedAt) {}
