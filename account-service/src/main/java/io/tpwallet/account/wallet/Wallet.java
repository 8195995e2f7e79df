package io.tpwallet.account.wallet;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A holder's wallet of one asset. Its id is the id of its ledger account.
 *
 * @param status OPENING until the ledger has opened the account, then ACTIVE; FAILED (with the
 *     ledger's reason) when the ledger refused to open it
 */
public record Wallet(
    UUID id,
    UUID customerId,
    String asset,
    String status,
    @Nullable String reason,
    Instant createdAt,
    Instant updatedAt) {

  public static final String OPENING = "OPENING";
  public static final String ACTIVE = "ACTIVE";
  public static final String FAILED = "FAILED";
}
