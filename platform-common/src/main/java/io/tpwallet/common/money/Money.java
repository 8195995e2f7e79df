package io.tpwallet.common.money;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * An amount of one asset in integer minor units. Never a floating-point number: crypto amounts of
 * an 18-decimal asset overflow a long, so the amount is a BigInteger and the database column is
 * NUMERIC(39,0).
 */
public record Money(BigInteger minor, Asset asset) implements Comparable<Money> {

  /** 10^38 - 1: the largest amount a NUMERIC(39,0) column and the ledger accept. */
  public static final BigInteger MINOR_MAX = BigInteger.TEN.pow(38).subtract(BigInteger.ONE);

  private static final Pattern MINOR_DIGITS = Pattern.compile("-?[0-9]{1,39}");

  public Money {
    if (minor.abs().compareTo(MINOR_MAX) > 0) {
      throw new IllegalArgumentException("amount is larger than " + MINOR_MAX + " minor units");
    }
  }

  public static Money ofMinor(long minor, Asset asset) {
    return new Money(BigInteger.valueOf(minor), asset);
  }

  /**
   * Parses a string of integer minor units ("2500" is 25.00 USD). Rejects anything that is not a
   * plain integer: no decimal point, exponent, spaces or plus sign.
   */
  public static Money parseMinor(String minor, Asset asset) {
    if (!MINOR_DIGITS.matcher(minor).matches()) {
      throw new IllegalArgumentException("amount must be an integer number of minor units");
    }
    return new Money(new BigInteger(minor), asset);
  }

  public boolean isPositive() {
    return minor.signum() > 0;
  }

  public Money plus(Money other) {
    requireSameAsset(other);
    return new Money(minor.add(other.minor), asset);
  }

  public Money minus(Money other) {
    requireSameAsset(other);
    return new Money(minor.subtract(other.minor), asset);
  }

  /** The amount in major units, exactly ("25.00" for 2500 USD minor units), for display only. */
  public BigDecimal toMajor() {
    return new BigDecimal(minor, asset.scale());
  }

  @Override
  public int compareTo(Money other) {
    requireSameAsset(other);
    return minor.compareTo(other.minor);
  }

  @Override
  public String toString() {
    return toMajor().toPlainString() + " " + asset.code();
  }

  private void requireSameAsset(Money other) {
    if (!asset.equals(other.asset)) {
      throw new IllegalArgumentException(
          "cannot combine " + asset.code() + " with " + other.asset.code());
    }
  }
}
