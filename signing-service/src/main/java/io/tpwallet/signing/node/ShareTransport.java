package io.tpwallet.signing.node;

import io.tpwallet.signing.frost.Dkg;
import io.tpwallet.signing.frost.Group;
import io.tpwallet.signing.frost.Identifier;
import io.tpwallet.signing.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts DKG round-two shares from one node to another, so that the coordinator relaying them
 * never sees a share: ephemeral X25519 per DKG session, SHA-256 of a domain and the shared secret
 * as the AES-256-GCM key, and the key id with sender and receiver as associated data.
 */
final class ShareTransport {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] DOMAIN = "tpw-dkg-share-v1".getBytes(StandardCharsets.US_ASCII);

  private ShareTransport() {}

  static KeyPair newKeyPair() {
    try {
      return KeyPairGenerator.getInstance("X25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 is part of every JDK 11+", e);
    }
  }

  static PublicKey decodePublic(byte[] encoded) {
    try {
      return KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(encoded));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an X25519 public key");
    }
  }

  static byte[] seal(PrivateKey own, PublicKey peer, byte[] aad, byte[] plaintext) {
    SecretKeySpec key = derive(own, peer);
    byte[] iv = new byte[12];
    RANDOM.nextBytes(iv);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
      c.updateAAD(aad);
      byte[] ct = c.doFinal(plaintext);
      byte[] out = Arrays.copyOf(iv, 12 + ct.length);
      System.arraycopy(ct, 0, out, 12, ct.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The plaintext, which the caller wipes; IllegalArgumentException if it does not open. */
  static byte[] open(PrivateKey own, PublicKey peer, byte[] aad, byte[] sealed) {
    if (sealed.length < 12 + 16) {
      throw new IllegalArgumentException("sealed share too short");
    }
    SecretKeySpec key = derive(own, peer);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, Arrays.copyOf(sealed, 12)));
      c.updateAAD(aad);
      return c.doFinal(sealed, 12, sealed.length - 12);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("sealed share does not open");
    }
  }

  /**
   * Seals each outgoing round-two share (DKG or refresh) to its receiver under {@code transportId};
   * the plaintext encodings are wiped.
   */
  static Map<Integer, String> sealAll(
      Group group,
      KeyPair own,
      Map<Integer, PublicKey> peers,
      String transportId,
      int self,
      Map<Identifier, Dkg.Round2Package> outgoing) {
    Map<Integer, String> sealed = new TreeMap<>();
    for (var out : outgoing.entrySet()) {
      int to = out.getKey().value().intValueExact();
      byte[] share = group.serializeScalar(out.getValue().signingShare());
      try {
        sealed.put(
            to,
            WireCodec.hex(
                seal(own.getPrivate(), peers.get(to), aad(transportId, self, to), share)));
      } finally {
        Arrays.fill(share, (byte) 0);
      }
    }
    return sealed;
  }

  /** Opens the round-two shares sent to {@code self}; the plaintext encodings are wiped. */
  static Map<Identifier, Dkg.Round2Package> openAll(
      Group group,
      KeyPair own,
      Map<Integer, PublicKey> peers,
      String transportId,
      int self,
      Map<Integer, String> sealed) {
    Map<Identifier, Dkg.Round2Package> shares = new TreeMap<>();
    for (var e : sealed.entrySet()) {
      byte[] plain =
          open(
              own.getPrivate(),
              peers.get(e.getKey()),
              aad(transportId, e.getKey(), self),
              WireCodec.unhex(e.getValue()));
      try {
        shares.put(
            Identifier.of(e.getKey()), new Dkg.Round2Package(group.deserializeScalar(plain)));
      } finally {
        Arrays.fill(plain, (byte) 0);
      }
    }
    return shares;
  }

  static byte[] aad(String keyId, int sender, int receiver) {
    return (new String(DOMAIN, StandardCharsets.US_ASCII)
            + "|"
            + keyId
            + "|"
            + sender
            + "|"
            + receiver)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static SecretKeySpec derive(PrivateKey own, PublicKey peer) {
    byte[] shared = null;
    try {
      KeyAgreement agreement = KeyAgreement.getInstance("X25519");
      agreement.init(own);
      agreement.doPhase(peer, true);
      shared = agreement.generateSecret();
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(DOMAIN);
      sha.update(shared);
      byte[] k = sha.digest();
      try {
        return new SecretKeySpec(k, "AES");
      } finally {
        Arrays.fill(k, (byte) 0);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("key agreement failed: " + e.getMessage());
    } finally {
      if (shared != null) {
        Arrays.fill(shared, (byte) 0);
      }
    }
  }
}
