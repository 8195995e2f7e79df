package io.tpwallet.risk.decision;

import io.tpwallet.common.problem.ProblemException;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/risk/decisions/{paymentId}}: why a payment was approved or declined. */
@RestController
class RiskDecisionController {

  private final RiskDecisions decisions;

  RiskDecisionController(RiskDecisions decisions) {
    this.decisions = decisions;
  }

  @GetMapping("/v1/risk/decisions/{paymentId}")
  RiskDecisionView get(@PathVariable UUID paymentId) {
    return decisions
        .find(paymentId)
        .orElseThrow(() -> ProblemException.notFound("No risk decision for payment " + paymentId));
  }
}
