package io.tpwallet.signing.vault;

import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key-encryption key held in this process's memory: for insecure dev mode only (a laptop without
 * an HSM). Whoever reads the process or its configuration can open every share; it says so in a
 * WARN when created.
 */
public final class SoftwareKeyEncryptionKey implements KeyEncryptionKey {

  private static final Logger log = LoggerFactory.getLogger(SoftwareKeyEncryptionKey.class);
  private static final int KEY_BYTES = 32;

  private final SecretKeySpec key;
  private final Provider provider;

  /** Copies the 32 key bytes and wipes the caller's array. */
  public SoftwareKeyEncryptionKey(byte[] keyBytes) {
    try {
      if (keyBytes.length != KEY_BYTES) {
        throw new VaultException("the dev key-encryption key must be 32 bytes (AES-256)");
      }
      this.key = new SecretKeySpec(keyBytes, "AES");
    } finally {
      Arrays.fill(keyBytes, (byte) 0);
    }
    this.provider = Security.getProvider("SunJCE");
    log.warn(
        "INSECURE dev mode: key shares are sealed under a software key-encryption key held in"
            + " memory, not in an HSM. Never use this mode with real funds.");
  }

  @Override
  public String id() {
    return "software:insecure-dev";
  }

  @Override
  public byte[] seal(byte[] plaintext, byte[] aad) {
    return AesGcm.seal(provider, key, plaintext, aad);
  }

  @Override
  public byte[] open(byte[] sealed, byte[] aad) {
    return AesGcm.open(provider, key, sealed, aad);
  }
}
