package io.tpwallet.account.wallet;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A holder's wallet of one asset. Its id is the id of its ledger account.
 *
 * @param status OPENING until the ledger has opened the account, then ACTIVE; FAILED (with the
 *     ledger's reason) when the ledger refused to open it. An imported legacy wallet is MIGRATING
 *     (its ledger account exists, it is not payable) until its job's cutover makes it ACTIVE, or
 *     HELD (with the reason) when it must not become payable: deleted in legacy, a second wallet of
 *     one asset, or overdrawn at cutover
 * @param legacyRef {@code legacy:wallets:<pk>} of an imported wallet; null for one opened here
 */
public record Wallet(
    UUID id,
    UUID customerId,
    String asset,
    String status,
    @Nullable String reason,
    Instant createdAt,
    Instant updatedAt,
    @Nullable String legacyRef) {

  public static final String OPENING = "OPENING";
  public static final String ACTIVE = "ACTIVE";
  public static final String FAILED = "FAILED";
  public static final String MIGRATING = "MIGRATING";
  public static final String HELD = "HELD";
}
