package io.tpwallet.signing.frost;

import java.math.BigInteger;

/**
 * A Schnorr signature (R, z) before its ciphersuite-specific encoding; see {@link
 * Ciphersuite#serializeSignature}.
 */
public record Signature(Element r, BigInteger z) {}
