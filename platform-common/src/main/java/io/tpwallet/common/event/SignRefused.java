package io.tpwallet.common.event;

import java.util.UUID;

/**
 * signing-service did not sign a {@link SignRequested}. {@code reason} is stable: a signer node's
 * policy reason ({@code per-transaction-limit}, {@code per-day-limit}, {@code
 * destination-not-allowed}, {@code asset-not-allowed}, {@code amount-not-positive}, {@code
 * approvals-missing}) or the coordinator's problem type ({@code not-found}, {@code validation},
 * {@code signers-unavailable}, {@code signing-failed}); {@code detail} is for a person.
 */
public record SignRefused(UUID requestId, String keyId, String reason, String detail) {}
