package io.tpwallet.account.kyc;

/** How well the platform knows a customer; each tier has larger limits than the one before. */
public enum KycTier {
  /** Phone or e-mail only: small amounts. */
  L0,
  /** An identity document checked. */
  L1,
  /** Enhanced due diligence (source of funds, address). */
  L2
}
