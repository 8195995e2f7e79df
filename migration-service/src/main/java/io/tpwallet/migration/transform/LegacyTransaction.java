package io.tpwallet.migration.transform;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** A row of the legacy {@code transactions} table as the change stream delivered it. */
public record LegacyTransaction(
    long id,
    long walletId,
    @Nullable Long counterpartyWalletId,
    String kind,
    BigDecimal amount,
    int statusCode,
    LocalDateTime createdAt,
    boolean deleted) {

  /**
   * What makes two rows the same fact apart from their primary key: a second row with the same
   * fingerprint is an exact duplicate (a double import or a retried insert).
   */
  public String fingerprint() {
    return walletId
        + "|"
        + Objects.toString(counterpartyWalletId, "")
        + "|"
        + kind
        + "|"
        + amount.stripTrailingZeros().toPlainString()
        + "|"
        + statusCode
        + "|"
        + createdAt;
  }
}
