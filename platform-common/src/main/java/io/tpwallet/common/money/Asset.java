package io.tpwallet.common.money;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A currency or token with a fixed number of decimal places; amounts of it are counted in integer
 * minor units (cents, satoshis, wei). The scale of an asset never changes once it exists.
 */
public record Asset(String code, int scale) {

  /** The largest scale any asset may have: ETH and most ERC-20 tokens use 18. */
  public static final int SCALE_MAX = 18;

  private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9]{1,11}");

  public static final Asset USD = new Asset("USD", 2);
  public static final Asset EUR = new Asset("EUR", 2);
  public static final Asset CNY = new Asset("CNY", 2);
  public static final Asset BTC = new Asset("BTC", 8);
  public static final Asset ETH = new Asset("ETH", 18);
  public static final Asset USDT = new Asset("USDT", 6);

  private static final Map<String, Asset> KNOWN =
      Map.of("USD", USD, "EUR", EUR, "CNY", CNY, "BTC", BTC, "ETH", ETH, "USDT", USDT);

  public Asset {
    if (!CODE.matcher(code).matches()) {
      throw new IllegalArgumentException("asset code must be 2-12 upper-case letters or digits");
    }
    if (scale < 0 || scale > SCALE_MAX) {
      throw new IllegalArgumentException("asset scale must be 0.." + SCALE_MAX);
    }
  }

  /** The asset the platform knows by this code, if any (case-insensitive). */
  public static Optional<Asset> find(String code) {
    return Optional.ofNullable(KNOWN.get(code.toUpperCase(Locale.ROOT)));
  }
}
