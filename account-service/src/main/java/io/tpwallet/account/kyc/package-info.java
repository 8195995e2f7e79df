/** KYC tiers L0/L1/L2, their limits, the pluggable KYC provider and its sandbox. */
@NullMarked
package io.tpwallet.account.kyc;

import org.jspecify.annotations.NullMarked;
