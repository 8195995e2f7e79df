package io.tpwallet.signing.vault;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Stores a signer node's key shares sealed under the key-encryption key, with the key id and the
 * participant id as AES-GCM associated data: a sealed share copied to another key or participant
 * row does not open. Plaintext arrays handed in are wiped after sealing; opened plaintext is handed
 * to a function and wiped when it returns.
 */
public final class ShareVault {

  private static final byte[] DOMAIN = "tpw-signing-share-v1".getBytes(StandardCharsets.US_ASCII);
  private static final int KEY_ID_CHARS_MAX = 128;

  private final KeyEncryptionKey kek;
  private final ShareStore store;

  public ShareVault(KeyEncryptionKey kek, ShareStore store) {
    this.kek = kek;
    this.store = store;
  }

  /** Seals {@code secret} for (keyId, participant) and stores it; wipes {@code secret}. */
  public void seal(String keyId, int participant, byte[] secret) {
    try {
      byte[] sealed = kek.seal(secret, aad(keyId, participant));
      store.insert(keyId, participant, new ShareStore.SealedShare(kek.id(), sealed));
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** Opens the share of (keyId, participant), applies {@code use} and wipes the plaintext. */
  public <T> T withShare(String keyId, int participant, Function<byte[], T> use) {
    ShareStore.SealedShare sealed =
        store
            .find(keyId, participant)
            .orElseThrow(
                () -> new VaultException("no share of key " + keyId + " for " + participant));
    if (!sealed.kekId().equals(kek.id())) {
      throw new VaultException(
          "share of key " + keyId + " was sealed under " + sealed.kekId() + ", not " + kek.id());
    }
    byte[] plaintext = kek.open(sealed.sealed(), aad(keyId, participant));
    try {
      return use.apply(plaintext);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** Destroys the stored share of (keyId, participant). */
  public void destroy(String keyId, int participant) {
    store.delete(keyId, participant);
  }

  public String kekId() {
    return kek.id();
  }

  /** domain || len(keyId) || keyId || participant, all lengths fixed, so no two inputs collide. */
  static byte[] aad(String keyId, int participant) {
    byte[] id = keyId.getBytes(StandardCharsets.UTF_8);
    if (id.length == 0 || keyId.length() > KEY_ID_CHARS_MAX) {
      throw new IllegalArgumentException("key id must have 1.." + KEY_ID_CHARS_MAX + " chars");
    }
    if (participant <= 0) {
      throw new IllegalArgumentException("participant id must be positive");
    }
    var out = new ByteArrayOutputStream();
    out.writeBytes(DOMAIN);
    out.write(id.length >>> 8);
    out.write(id.length);
    out.writeBytes(id);
    out.write(participant >>> 24);
    out.write(participant >>> 16);
    out.write(participant >>> 8);
    out.write(participant);
    return out.toByteArray();
  }
}
