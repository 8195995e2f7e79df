package io.tpwallet.account.kyc;

import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * A deterministic stand-in for a KYC vendor, for local runs and tests: the outcome follows from the
 * document number, so that a test chooses it. Ending in {@code 00}: rejected; ending in {@code 99}:
 * review; anything else: approved.
 */
@Component
@ConditionalOnProperty(
    name = "tpw.account.kyc.provider",
    havingValue = "sandbox",
    matchIfMissing = true)
class SandboxKycProvider implements KycProvider {

  @Override
  public String name() {
    return "sandbox";
  }

  @Override
  public Decision verify(UUID customerId, KycTier requested, Evidence evidence) {
    String number = evidence.documentNumber();
    if (number.endsWith("00")) {
      return new Decision(Outcome.REJECTED, "document not recognised (sandbox: ends in 00)");
    }
    if (number.endsWith("99")) {
      return new Decision(Outcome.REVIEW, "manual review needed (sandbox: ends in 99)");
    }
    return new Decision(Outcome.APPROVED, null);
  }
}
