package io.tpwallet.risk.decision;

import io.tpwallet.common.event.PaymentCreated;
import io.tpwallet.common.event.RiskDecided;
import io.tpwallet.common.event.RiskDecided.Decision;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The rules a payment is scored by. Each rule that fires adds a reason; any reason declines. Later
 * issues add velocity, lists and the anomaly model here.
 */
@Component
public class RiskRules {

  private final RiskProperties properties;

  public RiskRules(RiskProperties properties) {
    this.properties = properties;
  }

  public RiskDecided decide(PaymentCreated payment) {
    List<String> reasons = new ArrayList<>();
    BigInteger limit = properties.amountLimits().get(payment.asset());
    BigInteger amount = new BigInteger(payment.amount());
    if (limit == null) {
      reasons.add("no amount limit is configured for " + payment.asset());
    } else if (amount.compareTo(limit) > 0) {
      reasons.add(
          "amount "
              + amount
              + " exceeds the single-payment limit of "
              + limit
              + " "
              + payment.asset()
              + " minor units");
    }
    return new RiskDecided(
        payment.paymentId(), reasons.isEmpty() ? Decision.APPROVE : Decision.DECLINE, reasons);
  }
}
