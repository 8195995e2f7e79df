package io.tpwallet.migration.transform;

import io.tpwallet.common.money.Asset;
import io.tpwallet.common.money.Money;
import java.math.BigDecimal;
import java.math.BigInteger;

/** Legacy decimal amounts to integer minor units of an asset, exactly or not at all. */
public final class Amounts {

  private Amounts() {}

  /**
   * The amount in minor units of {@code asset}. Trailing zeros do not matter (10.500000 USD is 1050
   * cents); a digit beyond the asset's scale (1.005 USD) is refused, never rounded.
   */
  public static BigInteger toMinor(BigDecimal amount, Asset asset) {
    BigDecimal plain = amount.stripTrailingZeros();
    if (plain.scale() > asset.scale()) {
      throw new Refusal(
          Refusal.AMOUNT_SCALE,
          amount.toPlainString()
              + " has more than the "
              + asset.scale()
              + " decimals of "
              + asset.code());
    }
    BigInteger minor = plain.movePointRight(asset.scale()).toBigIntegerExact();
    if (minor.abs().compareTo(Money.MINOR_MAX) > 0) {
      throw new Refusal(Refusal.AMOUNT_TOO_LARGE, amount.toPlainString() + " is too large");
    }
    return minor;
  }

  /** {@link #toMinor} for an amount that must be above zero (a transaction's). */
  public static BigInteger toPositiveMinor(BigDecimal amount, Asset asset) {
    BigInteger minor = toMinor(amount, asset);
    if (minor.signum() <= 0) {
      throw new Refusal(Refusal.AMOUNT_NOT_POSITIVE, amount.toPlainString() + " is not above zero");
    }
    return minor;
  }

  /** The platform asset for a legacy currency code, whatever its case or padding. */
  public static Asset asset(String legacyCurrency) {
    return Asset.find(legacyCurrency.trim())
        .orElseThrow(
            () ->
                new Refusal(
                    Refusal.UNKNOWN_CURRENCY, "unknown legacy currency '" + legacyCurrency + "'"));
  }
}
