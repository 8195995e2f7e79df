package io.tpwallet.account.kyc;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A KYC vendor behind one interface: it answers whether the evidence supports the tier. */
public interface KycProvider {

  /** The name stored with each verification (e.g. "sandbox"). */
  String name();

  Decision verify(UUID customerId, KycTier requested, Evidence evidence);

  /** What the customer submitted. */
  record Evidence(String documentType, String documentNumber, String fullName) {}

  /** The provider's answer. */
  record Decision(Outcome outcome, @Nullable String reason) {}

  enum Outcome {
    APPROVED,
    REJECTED,
    /** A human has to look; the tier stays as it is for now. */
    REVIEW
  }
}
