package io.tpwallet.migration.transform;

/**
 * A legacy value the migration will not carry across as it is, with a stable reason code that the
 * failures table and the report show (like the reason column of a DMS failures table).
 */
public class Refusal extends RuntimeException {

  public static final String AMOUNT_SCALE = "amount-scale-exceeds-asset";
  public static final String AMOUNT_NOT_POSITIVE = "amount-not-positive";
  public static final String AMOUNT_TOO_LARGE = "amount-too-large";
  public static final String UNKNOWN_CURRENCY = "unknown-currency";
  public static final String NONEXISTENT_LOCAL_TIME = "nonexistent-local-time";
  public static final String UNKNOWN_STATUS = "unknown-status";
  public static final String UNKNOWN_KIND = "unknown-kind";
  public static final String ORPHAN_WALLET = "orphan-wallet";
  public static final String CURRENCY_MISMATCH = "currency-mismatch";
  public static final String DUPLICATE = "duplicate";
  public static final String POSTED_ROW_CHANGED = "posted-row-changed";

  private final String code;

  public Refusal(String code, String detail) {
    super(detail);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
