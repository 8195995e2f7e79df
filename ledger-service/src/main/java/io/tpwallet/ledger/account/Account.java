package io.tpwallet.ledger.account;

import io.tpwallet.common.money.Asset;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A ledger account of one asset: the totals of the entries posted to it and of the holds (pending
 * transfers) still open on it, in minor units.
 */
public record Account(
    UUID id,
    Asset asset,
    String code,
    @Nullable String ownerRef,
    Set<AccountFlag> flags,
    BigInteger debitsPosted,
    BigInteger creditsPosted,
    BigInteger debitsPending,
    BigInteger creditsPending,
    Instant createdAt) {

  public Account {
    flags = Set.copyOf(flags);
  }

  public boolean has(AccountFlag flag) {
    return flags.contains(flag);
  }

  /** Credits minus debits: what a wallet holds; negative for an issuance account. */
  public BigInteger balance() {
    return creditsPosted.subtract(debitsPosted);
  }

  /** What a wallet may still spend: the posted balance less what is held on its debit side. */
  public BigInteger available() {
    return balance().subtract(debitsPending);
  }
}
