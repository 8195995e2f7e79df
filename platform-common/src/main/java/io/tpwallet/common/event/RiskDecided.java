package io.tpwallet.common.event;

import java.util.List;
import java.util.UUID;

/** risk-service's decision on a payment, with the reasons a person can read. */
public record RiskDecided(UUID paymentId, Decision decision, List<String> reasons) {

  public enum Decision {
    APPROVE,
    REVIEW,
    DECLINE
  }
}
