package io.tpwallet.risk;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.event.PaymentCreated;
import io.tpwallet.common.event.RiskDecided.Decision;
import io.tpwallet.risk.decision.RiskProperties;
import io.tpwallet.risk.decision.RiskRules;
import java.math.BigInteger;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RiskRulesTests {

  private final RiskRules rules =
      new RiskRules(
          new RiskProperties(
              Map.of(
                  "USD",
                  BigInteger.valueOf(100_000),
                  "ETH",
                  new BigInteger("500000000000000000000"))));

  private Decision decide(String amount, String asset) {
    return rules
        .decide(
            new PaymentCreated(
                UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), amount, asset, null))
        .decision();
  }

  @Test
  void approvesUpToTheLimitAndDeclinesAboveIt() {
    assertThat(decide("1", "USD")).isEqualTo(Decision.APPROVE);
    assertThat(decide("100000", "USD")).isEqualTo(Decision.APPROVE);
    assertThat(decide("100001", "USD")).isEqualTo(Decision.DECLINE);
  }

  @Test
  void comparesEighteenDecimalAmountsExactly() {
    assertThat(decide("500000000000000000000", "ETH")).isEqualTo(Decision.APPROVE);
    assertThat(decide("500000000000000000001", "ETH")).isEqualTo(Decision.DECLINE);
  }

  @Test
  void declinesAnAssetWithoutALimitAndSaysWhy() {
    var decided =
        rules.decide(
            new PaymentCreated(
                UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), "1", "BTC", null));
    assertThat(decided.decision()).isEqualTo(Decision.DECLINE);
    assertThat(decided.reasons()).containsExactly("no amount limit is configured for BTC");
  }
}
