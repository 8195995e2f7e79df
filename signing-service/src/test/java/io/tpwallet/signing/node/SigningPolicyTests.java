package io.tpwallet.signing.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.signing.wire.Wire;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SigningPolicyTests {

  private static final Wire.Policy POLICY =
      new Wire.Policy(
          "SOL",
          BigInteger.valueOf(1_000),
          BigInteger.valueOf(2_500),
          List.of("DestA111", "DestB222"));

  private static Optional<String> check(String asset, long amount, String to, long today) {
    return SigningPolicy.check(
            POLICY,
            new Wire.PolicyContext("r-1", asset, BigInteger.valueOf(amount), to),
            BigInteger.valueOf(today))
        .map(SigningPolicy.Refusal::code);
  }

  @Test
  void aPayoutWithinEveryLimitToAnAllowlistedDestinationPasses() {
    assertThat(check("SOL", 1_000, "DestA111", 1_500)).isEmpty();
    assertThat(check("SOL", 1, "DestB222", 0)).isEmpty();
  }

  @Test
  void thePerTransactionLimitIsInclusive() {
    assertThat(check("SOL", 1_000, "DestA111", 0)).isEmpty();
    assertThat(check("SOL", 1_001, "DestA111", 0)).contains(SigningPolicy.PER_TRANSACTION);
  }

  @Test
  void thePerDayLimitCountsWhatWasSignedToday() {
    assertThat(check("SOL", 500, "DestA111", 2_000)).isEmpty();
    assertThat(check("SOL", 501, "DestA111", 2_000)).contains(SigningPolicy.PER_DAY);
  }

  @Test
  void aDestinationOffTheAllowlistIsRefusedEvenForSmallAmounts() {
    assertThat(check("SOL", 1, "Mallory", 0)).contains(SigningPolicy.DESTINATION);
    assertThat(check("SOL", 1, "desta111", 0)).contains(SigningPolicy.DESTINATION);
  }

  @Test
  void anotherAssetOrANonPositiveAmountOrNoContextIsRefused() {
    assertThat(check("BTC", 1, "DestA111", 0)).contains(SigningPolicy.ASSET);
    assertThat(check("SOL", 0, "DestA111", 0)).contains(SigningPolicy.AMOUNT);
    assertThat(check("SOL", -5, "DestA111", 0)).contains(SigningPolicy.AMOUNT);
    assertThat(SigningPolicy.check(POLICY, null, BigInteger.ZERO))
        .map(SigningPolicy.Refusal::code)
        .contains(SigningPolicy.NO_CONTEXT);
  }

  @Test
  void amountsBeyondALongAreComparedExactly() {
    var big =
        new Wire.Policy(
            "ETH",
            new BigInteger("100000000000000000000"),
            new BigInteger("100000000000000000000"),
            List.of("0xabc"));
    var ok = new Wire.PolicyContext("r", "ETH", new BigInteger("100000000000000000000"), "0xabc");
    var over = new Wire.PolicyContext("r", "ETH", new BigInteger("100000000000000000001"), "0xabc");
    assertThat(SigningPolicy.check(big, ok, BigInteger.ZERO)).isEmpty();
    assertThat(SigningPolicy.check(big, over, BigInteger.ZERO))
        .map(SigningPolicy.Refusal::code)
        .contains(SigningPolicy.PER_TRANSACTION);
  }
}
