package io.tpwallet.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.common.money.Asset;
import io.tpwallet.common.money.Money;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MoneyTests {

  @Test
  void parsesIntegerMinorUnitsOnly() {
    assertThat(Money.parseMinor("2500", Asset.USD).toString()).isEqualTo("25.00 USD");
    assertThat(Money.parseMinor("1", Asset.ETH).toMajor().toPlainString())
        .isEqualTo("0.000000000000000001");
    for (String bad : new String[] {"", "1.5", "1e3", " 1", "+1", "abc", "0x10", "1_000"}) {
      assertThatThrownBy(() -> Money.parseMinor(bad, Asset.USD))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void holdsEighteenDecimalAmountsBeyondALong() {
    Money whale = Money.parseMinor("123456789000000000000000000", Asset.ETH);
    assertThat(whale.minor()).isGreaterThan(BigInteger.valueOf(Long.MAX_VALUE));
    assertThat(whale.toString()).isEqualTo("123456789.000000000000000000 ETH");
  }

  @Test
  void refusesAmountsANumeric39CannotHold() {
    assertThat(new Money(Money.MINOR_MAX, Asset.ETH).minor()).isEqualTo(Money.MINOR_MAX);
    assertThatThrownBy(() -> new Money(Money.MINOR_MAX.add(BigInteger.ONE), Asset.ETH))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void neverMixesAssets() {
    assertThatThrownBy(() -> Money.ofMinor(1, Asset.USD).plus(Money.ofMinor(1, Asset.EUR)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void additionAndSubtractionAreExactInverses() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      Money a = new Money(new BigInteger(100, random), Asset.ETH);
      Money b = new Money(new BigInteger(100, random), Asset.ETH);
      assertThat(a.plus(b).minus(b)).as("seed %d", seed).isEqualTo(a);
    }
  }

  @Test
  void knowsThePlatformAssetsAndTheirScales() {
    assertThat(Asset.find("usd")).contains(Asset.USD);
    assertThat(Asset.find("BTC").orElseThrow().scale()).isEqualTo(8);
    assertThat(Asset.find("XYZ")).isEmpty();
    assertThatThrownBy(() -> new Asset("USD", 19)).isInstanceOf(IllegalArgumentException.class);
  }
}
