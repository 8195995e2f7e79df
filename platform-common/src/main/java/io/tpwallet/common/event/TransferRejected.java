package io.tpwallet.common.event;

import java.util.UUID;

/** ledger-service refused a requested transfer; nothing was posted. {@code code} is stable. */
public record TransferRejected(UUID transferId, String reference, String code, String detail) {}
