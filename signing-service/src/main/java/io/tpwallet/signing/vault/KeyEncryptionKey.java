package io.tpwallet.signing.vault;

/**
 * The key that seals shares: AES-256-GCM with caller-supplied associated data. The PKCS#11
 * implementation never lets the key leave the token; the software one exists for insecure dev mode
 * only.
 */
public interface KeyEncryptionKey {

  /** Identifies the key (kind and label) in the sealed record, so that a rotation can tell. */
  String id();

  /** {@code iv || ciphertext || tag}; the plaintext is left to the caller to wipe. */
  byte[] seal(byte[] plaintext, byte[] aad);

  /** The plaintext, which the caller must wipe; throws {@link VaultException} on any mismatch. */
  byte[] open(byte[] sealed, byte[] aad);
}
