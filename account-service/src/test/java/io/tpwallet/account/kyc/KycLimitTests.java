package io.tpwallet.account.kyc;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The limit decision alone: which of per-transaction, per-day, per-month a payment breaks. */
class KycLimitTests {

  static BigInteger big(long value) {
    return BigInteger.valueOf(value);
  }

  @Test
  void eachLimitIsReachedExactlyAndRefusedOneMinorUnitAbove() {
    // L0 USD: 100.00 a payment, 300.00 a day, 1,000.00 a month.
    BigInteger tx = big(10_000);
    BigInteger day = big(30_000);
    BigInteger month = big(100_000);
    assertThat(Kyc.exceededLimit(tx, day, month, big(10_000), big(0), big(0))).isNull();
    assertThat(Kyc.exceededLimit(tx, day, month, big(10_001), big(0), big(0)))
        .isEqualTo(Kyc.PER_TRANSACTION);
    assertThat(Kyc.exceededLimit(tx, day, month, big(10_000), big(20_000), big(20_000))).isNull();
    assertThat(Kyc.exceededLimit(tx, day, month, big(10_000), big(20_001), big(20_001)))
        .isEqualTo(Kyc.PER_DAY);
    assertThat(Kyc.exceededLimit(tx, day, month, big(10_000), big(0), big(90_000))).isNull();
    assertThat(Kyc.exceededLimit(tx, day, month, big(10_000), big(0), big(90_001)))
        .isEqualTo(Kyc.PER_MONTH);
    // An asset the tier does not name has zero limits: nothing is allowed.
    assertThat(Kyc.exceededLimit(big(0), big(0), big(0), big(1), big(0), big(0)))
        .isEqualTo(Kyc.PER_TRANSACTION);
  }

  @Test
  void aRefusedPaymentBreaksTheNamedLimitAndAnAllowedOneKeepsEveryTotalWithin() {
    long seed = new Random().nextLong();
    System.out.println("KycLimitTests seed " + seed);
    Random random = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      BigInteger tx = big(1 + random.nextInt(1_000));
      BigInteger day = tx.add(big(random.nextInt(3_000)));
      BigInteger month = day.add(big(random.nextInt(30_000)));
      BigInteger amount = big(1 + random.nextInt(1_200));
      BigInteger today = big(random.nextInt(day.intValueExact() + 1));
      BigInteger thisMonth = today.add(big(random.nextInt(month.intValueExact() + 1)));
      String exceeded = Kyc.exceededLimit(tx, day, month, amount, today, thisMonth);
      String where = "seed " + seed + " step " + i;
      if (exceeded == null) {
        assertThat(amount).as(where).isLessThanOrEqualTo(tx);
        assertThat(today.add(amount)).as(where).isLessThanOrEqualTo(day);
        assertThat(thisMonth.add(amount)).as(where).isLessThanOrEqualTo(month);
      } else {
        BigInteger total =
            switch (exceeded) {
              case Kyc.PER_TRANSACTION -> amount;
              case Kyc.PER_DAY -> today.add(amount);
              default -> thisMonth.add(amount);
            };
        BigInteger limit =
            switch (exceeded) {
              case Kyc.PER_TRANSACTION -> tx;
              case Kyc.PER_DAY -> day;
              default -> month;
            };
        assertThat(total).as(where).isGreaterThan(limit);
      }
    }
  }
}
