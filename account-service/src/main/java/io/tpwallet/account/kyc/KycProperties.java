package io.tpwallet.account.kyc;

import java.math.BigInteger;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The limits of each KYC tier, per asset, in minor units ({@code tpw.account.kyc.*}). An asset a
 * tier does not name is not allowed at that tier.
 */
@ConfigurationProperties("tpw.account.kyc")
public record KycProperties(Map<String, Map<String, Limit>> tiers) {

  /** Largest single payment, largest total per UTC day and per UTC calendar month. */
  public record Limit(BigInteger perTransaction, BigInteger perDay, BigInteger perMonth) {

    public Limit {
      if (perTransaction == null || perDay == null || perMonth == null) {
        throw new IllegalArgumentException(
            "per-transaction, per-day and per-month must all be configured");
      }
    }
  }

  public KycProperties {
    tiers = tiers == null ? Map.of() : Map.copyOf(tiers);
    for (KycTier tier : KycTier.values()) {
      if (!tiers.containsKey(tier.name())) {
        throw new IllegalArgumentException("tpw.account.kyc.tiers." + tier + " is not configured");
      }
    }
  }

  public Map<String, Limit> of(KycTier tier) {
    return tiers.get(tier.name());
  }
}
