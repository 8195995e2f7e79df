package io.tpwallet.routing.payment;

import io.tpwallet.common.money.Asset;
import io.tpwallet.common.money.Money;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * The body of {@code POST /v1/payments} as the client sent it. Every field is read as a string and
 * checked here, so that each bad field gets its own message in the problem detail.
 *
 * @param amount integer minor units of {@code asset}, as a JSON string or integer ("2500" is 25.00
 *     USD)
 */
public record CreatePaymentRequest(
    @Nullable String payerAccountId,
    @Nullable String payeeAccountId,
    @Nullable String amount,
    @Nullable String asset,
    @Nullable String reference) {

  public static final int REFERENCE_LENGTH_MAX = 140;

  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,39}");

  /** A payment request that passed every check. */
  public record Valid(UUID payer, UUID payee, Money amount, @Nullable String reference) {}

  /**
   * Checks every field; throws a 400 problem listing the bad fields, or 422 for an asset the
   * platform does not hold.
   */
  public Valid validate() {
    List<Map<String, String>> errors = new ArrayList<>();
    UUID payer = uuid("payerAccountId", payerAccountId, errors);
    UUID payee = uuid("payeeAccountId", payeeAccountId, errors);
    if (payer != null && payer.equals(payee)) {
      errors.add(error("payeeAccountId", "must differ from payerAccountId"));
    }
    BigInteger minor = null;
    if (amount == null || amount.isBlank()) {
      errors.add(error("amount", "is required"));
    } else if (amount.startsWith("-")) {
      errors.add(error("amount", "must be positive"));
    } else if (!DIGITS.matcher(amount).matches()) {
      errors.add(error("amount", "must be an integer number of minor units, e.g. \"2500\""));
    } else {
      minor = new BigInteger(amount);
      if (minor.signum() == 0) {
        errors.add(error("amount", "must be positive"));
      } else if (minor.compareTo(Money.MINOR_MAX) > 0) {
        errors.add(error("amount", "must be at most " + Money.MINOR_MAX));
      }
    }
    if (asset == null || asset.isBlank()) {
      errors.add(error("asset", "is required"));
    }
    if (reference != null && reference.length() > REFERENCE_LENGTH_MAX) {
      errors.add(error("reference", "must be at most " + REFERENCE_LENGTH_MAX + " characters"));
    }
    if (!errors.isEmpty()) {
      throw new ProblemException(
          HttpStatus.BAD_REQUEST,
          ProblemTypes.VALIDATION,
          "Invalid payment",
          "The payment has " + errors.size() + " invalid field(s).",
          Map.of("errors", errors));
    }
    Asset known =
        Asset.find(asset)
            .orElseThrow(
                () ->
                    ProblemException.unprocessable(
                        ProblemTypes.UNKNOWN_ASSET,
                        "Unknown asset",
                        "The platform does not hold the asset " + asset + "."));
    return new Valid(payer, payee, new Money(minor, known), reference);
  }

  private static @Nullable UUID uuid(
      String field, @Nullable String value, List<Map<String, String>> errors) {
    if (value == null || value.isBlank()) {
      errors.add(error(field, "is required"));
      return null;
    }
    try {
      UUID id = UUID.fromString(value);
      if (!id.toString().equalsIgnoreCase(value)) {
        throw new IllegalArgumentException();
      }
      return id;
    } catch (IllegalArgumentException e) {
      errors.add(error(field, "must be a UUID"));
      return null;
    }
  }

  private static Map<String, String> error(String field, String message) {
    return Map.of("field", field, "message", message);
  }
}
