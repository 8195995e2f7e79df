package io.tpwallet.common.event;

import java.util.List;
import java.util.UUID;

/**
 * signing-service signed a {@link SignRequested}: {@code signature} (hex; Ed25519 64 bytes, or
 * BIP-340 64 bytes under the x-only Taproot output key) verifies under {@code publicKey} (hex),
 * made by the signer nodes {@code signers}.
 */
public record MessageSigned(
    UUID requestId, String keyId, String signature, List<Integer> signers, String publicKey) {}
