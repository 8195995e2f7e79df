/**
 * Share sealing: a signer node's key shares at rest, AES-256-GCM encrypted under a key-encryption
 * key held in a PKCS#11 token, with the key id and participant id bound as associated data.
 */
@NullMarked
package io.tpwallet.signing.vault;

import org.jspecify.annotations.NullMarked;
