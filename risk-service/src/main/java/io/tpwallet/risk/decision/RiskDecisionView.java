package io.tpwallet.risk.decision;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A decision as operations read it. */
public record RiskDecisionView(
    UUID paymentId, String decision, List<String> reasons, Instant decidedAt) {}
