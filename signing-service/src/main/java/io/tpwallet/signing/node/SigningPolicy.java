package io.tpwallet.signing.node;

import io.tpwallet.signing.wire.Wire;
import java.math.BigInteger;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The rules a node applies before it releases a signature share: a context must be given, in the
 * key's asset, for a positive amount within the per-transaction limit and, with what was signed
 * today, within the per-day limit, to an allowlisted destination. Pure, so that it is tested alone.
 */
final class SigningPolicy {

  /** Why a request is refused: a stable code and a sentence. */
  record Refusal(String code, String detail) {}

  static final String NO_CONTEXT = "no-policy-context";
  static final String ASSET = "asset-not-allowed";
  static final String AMOUNT = "amount-not-positive";
  static final String PER_TRANSACTION = "per-transaction-limit";
  static final String PER_DAY = "per-day-limit";
  static final String DESTINATION = "destination-not-allowed";

  private SigningPolicy() {}

  static Optional<Refusal> check(
      Wire.Policy policy, Wire.@Nullable PolicyContext context, BigInteger signedToday) {
    if (context == null) {
      return refuse(NO_CONTEXT, "a signature needs a policy context (amount, destination)");
    }
    if (!policy.asset().equals(context.asset())) {
      return refuse(ASSET, "this key signs " + policy.asset() + " only, not " + context.asset());
    }
    if (context.amount().signum() <= 0) {
      return refuse(AMOUNT, "the amount must be positive");
    }
    if (context.amount().compareTo(policy.perTransactionMax()) > 0) {
      return refuse(
          PER_TRANSACTION,
          "amount "
              + context.amount()
              + " is above the per-transaction limit "
              + policy.perTransactionMax());
    }
    BigInteger dayTotal = signedToday.add(context.amount());
    if (dayTotal.compareTo(policy.perDayMax()) > 0) {
      return refuse(
          PER_DAY,
          "amount "
              + context.amount()
              + " with "
              + signedToday
              + " signed today is above the per-day limit "
              + policy.perDayMax());
    }
    if (!policy.destinations().contains(context.destination())) {
      return refuse(DESTINATION, "destination " + context.destination() + " is not allowlisted");
    }
    return Optional.empty();
  }

  private static Optional<Refusal> refuse(String code, String detail) {
    return Optional.of(new Refusal(code, detail));
  }
}
