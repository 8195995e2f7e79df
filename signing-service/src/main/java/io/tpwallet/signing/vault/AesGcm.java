package io.tpwallet.signing.vault;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/** AES-GCM with a fresh random 96-bit IV per seal, through whichever provider holds the key. */
final class AesGcm {

  static final int IV_BYTES = 12;
  static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private AesGcm() {}

  static byte[] seal(Provider provider, Key key, byte[] plaintext, byte[] aad) {
    byte[] iv = new byte[IV_BYTES];
    RANDOM.nextBytes(iv);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(aad);
      byte[] ciphertext = cipher.doFinal(plaintext);
      byte[] out = new byte[IV_BYTES + ciphertext.length];
      System.arraycopy(iv, 0, out, 0, IV_BYTES);
      System.arraycopy(ciphertext, 0, out, IV_BYTES, ciphertext.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new VaultException("could not seal with " + provider.getName(), e);
    }
  }

  static byte[] open(Provider provider, Key key, byte[] sealed, byte[] aad) {
    if (sealed.length < IV_BYTES + TAG_BITS / 8) {
      throw new VaultException("sealed share is too short");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
      cipher.init(
          Cipher.DECRYPT_MODE,
          key,
          new GCMParameterSpec(TAG_BITS, Arrays.copyOfRange(sealed, 0, IV_BYTES)));
      cipher.updateAAD(aad);
      return cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES);
    } catch (GeneralSecurityException e) {
      // A failed tag says the data, the key id/participant or the KEK do not match; the cause
      // class is enough for the log, the bytes are not.
      throw new VaultException("sealed share does not open: " + e.getClass().getSimpleName());
    }
  }
}
