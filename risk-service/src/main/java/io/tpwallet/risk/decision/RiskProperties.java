package io.tpwallet.risk.decision;

import java.math.BigInteger;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Risk settings.
 *
 * @param amountLimits per asset code, the largest single payment approved, in minor units
 */
@ConfigurationProperties("tpw.risk")
public record RiskProperties(Map<String, BigInteger> amountLimits) {

  public RiskProperties {
    amountLimits = amountLimits == null ? Map.of() : Map.copyOf(amountLimits);
    amountLimits.forEach(
        (asset, limit) -> {
          if (limit.signum() < 0) {
            throw new IllegalArgumentException("negative amount limit for " + asset);
          }
        });
  }
}
