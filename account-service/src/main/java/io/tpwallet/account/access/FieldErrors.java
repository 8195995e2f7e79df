package io.tpwallet.account.access;

import io.tpwallet.common.money.Asset;
import io.tpwallet.common.money.Money;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * Collects the bad fields of one request body, so that the 400 problem names each of them; a
 * request is checked whole before anything is written.
 */
public final class FieldErrors {

  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,39}");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,189}\\.[^@\\s]+");

  private final List<Map<String, String>> errors = new ArrayList<>();

  public void add(String field, String message) {
    errors.add(Map.of("field", field, "message", message));
  }

  /** A required text of 1..max characters, or null (recorded as an error). */
  public @Nullable String text(String field, @Nullable String value, int max) {
    if (value == null || value.isBlank()) {
      add(field, "is required");
      return null;
    }
    if (value.length() > max) {
      add(field, "must be at most " + max + " characters");
      return null;
    }
    return value.strip();
  }

  public @Nullable String email(String field, @Nullable String value) {
    String text = text(field, value, 254);
    if (text != null && !EMAIL.matcher(text).matches()) {
      add(field, "must be an e-mail address");
      return null;
    }
    return text == null ? null : text.toLowerCase(java.util.Locale.ROOT);
  }

  /** A positive integer number of minor units, as a string. */
  public @Nullable BigInteger minor(String field, @Nullable String value) {
    if (value == null || value.isBlank()) {
      add(field, "is required");
      return null;
    }
    if (!DIGITS.matcher(value).matches()) {
      add(field, "must be a positive integer number of minor units, e.g. \"2500\"");
      return null;
    }
    BigInteger minor = new BigInteger(value);
    if (minor.signum() == 0) {
      add(field, "must be positive");
      return null;
    }
    if (minor.compareTo(Money.MINOR_MAX) > 0) {
      add(field, "must be at most " + Money.MINOR_MAX);
      return null;
    }
    return minor;
  }

  public @Nullable Asset asset(String field, @Nullable String value) {
    if (value == null || value.isBlank()) {
      add(field, "is required");
      return null;
    }
    var asset = Asset.find(value);
    if (asset.isEmpty()) {
      add(field, "is not an asset the platform holds");
      return null;
    }
    return asset.get();
  }

  /** Throws the 400 problem if any field was bad. */
  public void throwIfAny(String title) {
    if (!errors.isEmpty()) {
      throw new ProblemException(
          HttpStatus.BAD_REQUEST,
          ProblemTypes.VALIDATION,
          title,
          "The request has " + errors.size() + " invalid field(s).",
          Map.of("errors", List.copyOf(errors)));
    }
  }
}
