package io.tpwallet.signing.vault;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AES-256 key-encryption key inside a PKCS#11 token, used through Java's SunPKCS11 provider. The
 * key is a token object found by its label; it is generated inside the token on first use and never
 * leaves it: sealing and opening run as AES-GCM operations in the token.
 */
public final class Pkcs11KeyEncryptionKey implements KeyEncryptionKey {

  private static final Logger log = LoggerFactory.getLogger(Pkcs11KeyEncryptionKey.class);

  private final Provider provider;
  private final Key key;
  private final String id;

  private Pkcs11KeyEncryptionKey(Provider provider, Key key, String label) {
    this.provider = provider;
    this.key = key;
    this.id = "pkcs11:" + label;
  }

  /**
   * Logs into the token in {@code slot} of the PKCS#11 module at {@code library} and finds the AES
   * key labelled {@code label}, generating it in the token if {@code createIfMissing}. The PIN
   * array is wiped before returning.
   */
  public static Pkcs11KeyEncryptionKey open(
      Path library, long slot, char[] pin, String label, boolean createIfMissing) {
    try {
      if (!Files.isReadable(library)) {
        throw new VaultException("PKCS#11 module not found: " + library);
      }
      String config = "--name = tpw-" + slot + "\nlibrary = " + library + "\nslot = " + slot + "\n";
      Provider base = Security.getProvider("SunPKCS11");
      if (base == null) {
        throw new VaultException("the SunPKCS11 provider is not available in this JVM");
      }
      Provider provider = base.configure(config);
      KeyStore store = KeyStore.getInstance("PKCS11", provider);
      store.load(null, pin);
      Key key = store.getKey(label, null);
      if (key == null) {
        if (!createIfMissing) {
          throw new VaultException("no key labelled " + label + " in PKCS#11 slot " + slot);
        }
        KeyGenerator generator = KeyGenerator.getInstance("AES", provider);
        generator.init(256);
        SecretKey session = generator.generateKey();
        // Storing the entry makes a token object of it (CKA_TOKEN), so it survives restarts.
        store.setEntry(label, new KeyStore.SecretKeyEntry(session), null);
        key = store.getKey(label, null);
        if (key == null) {
          throw new VaultException("the token did not keep the generated key " + label);
        }
        log.info("Generated key-encryption key {} in PKCS#11 slot {}", label, slot);
      }
      if (!"AES".equalsIgnoreCase(key.getAlgorithm())) {
        throw new VaultException("key " + label + " is " + key.getAlgorithm() + ", not AES");
      }
      return new Pkcs11KeyEncryptionKey(provider, key, label);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new VaultException("PKCS#11 token in slot " + slot + " unavailable: " + e, e);
    } finally {
      Arrays.fill(pin, '\0');
    }
  }

  @Override
  public String id() {
    return id;
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
