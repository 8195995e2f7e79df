package io.tpwallet.signing.node;

import io.tpwallet.signing.vault.KeyEncryptionKey;
import io.tpwallet.signing.vault.VaultException;
import io.tpwallet.signing.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * This node's long-term Ed25519 identity key. It is made on first start; its private part is kept
 * only sealed by the vault's key-encryption key (in the PKCS#11 token unless insecure dev mode),
 * and it signs each transport key this node publishes, so that peers holding the pinned roster can
 * tell a coordinator's substitute from the real key.
 */
@Component
@Profile("signer")
class NodeIdentity {

  private static final Logger log = LoggerFactory.getLogger(NodeIdentity.class);

  /** Length of the X.509 prefix of an Ed25519 public key; the raw key is the 32 bytes after it. */
  private static final int ED25519_SPKI_PREFIX_BYTES = 12;

  private final int participant;
  private final PrivateKey privateKey;
  private final byte[] publicKey;

  NodeIdentity(SignerProperties properties, KeyEncryptionKey kek, JdbcClient jdbc, Clock clock) {
    this.participant = properties.participant();
    byte[] aad = aad(participant);
    PrivateKey opened = null;
    byte[] raw = new byte[0];
    Optional<Row> stored =
        jdbc.sql("select public_key, sealed_private_key from node_identity where participant = ?")
            .param(participant)
            .query((rs, n) -> new Row(rs.getBytes(1), rs.getBytes(2)))
            .optional();
    if (stored.isPresent()) {
      try {
        opened = decode(kek.open(stored.get().sealed(), aad));
        raw = stored.get().publicKey().clone();
      } catch (VaultException e) {
        // A new token (a new KEK) makes the old sealed shares count as lost; the identity is
        // made anew the same way, and the peers' rosters must pin the new key.
        log.warn(
            "The identity key of participant {} does not open under KEK {}; making a new one:"
                + " collect the signer roster again",
            participant,
            kek.id());
      }
    }
    if (opened == null) {
      KeyPair made = generate();
      raw = raw(made.getPublic());
      byte[] pkcs8 = made.getPrivate().getEncoded();
      try {
        jdbc.sql(
                "insert into node_identity (participant, public_key, sealed_private_key, kek_id,"
                    + " created_at) values (?, ?, ?, ?, ?) on conflict (participant) do update set"
                    + " public_key = excluded.public_key, sealed_private_key ="
                    + " excluded.sealed_private_key, kek_id = excluded.kek_id, created_at ="
                    + " excluded.created_at")
            .params(
                participant,
                raw,
                kek.seal(pkcs8, aad),
                kek.id(),
                OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC))
            .update();
      } finally {
        Arrays.fill(pkcs8, (byte) 0);
      }
      opened = made.getPrivate();
      log.info("Made identity key {} for participant {}", fingerprint(raw), participant);
    }
    this.privateKey = opened;
    this.publicKey = raw;
    byte[] probe = aad(participant);
    if (!TransportKeys.verifies(publicKey, probe, sign(probe))) {
      throw new IllegalStateException("the stored identity key pair does not match");
    }
  }

  /** The PKCS#8 encoding as a key; the array is wiped. */
  private static PrivateKey decode(byte[] pkcs8) {
    try {
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the stored identity key is not an Ed25519 key", e);
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  private record Row(byte[] publicKey, byte[] sealed) {}

  int participant() {
    return participant;
  }

  /** The raw 32-byte Ed25519 public key. */
  byte[] publicKey() {
    return publicKey.clone();
  }

  String fingerprint() {
    return fingerprint(publicKey);
  }

  /** The signature (hex) that binds {@code dhPublicHex} to this node for one session's purpose. */
  String signTransportKey(String purpose, String transportId, String dhPublicHex) {
    return WireCodec.hex(
        sign(TransportKeys.context(purpose, transportId, participant, dhPublicHex)));
  }

  private byte[] sign(byte[] message) {
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(privateKey);
      signer.update(message);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every JDK 15+", e);
    }
  }

  /** SHA-256 of the raw public key, hex: what an operator compares when pinning a roster. */
  static String fingerprint(byte[] rawPublicKey) {
    try {
      return WireCodec.hex(MessageDigest.getInstance("SHA-256").digest(rawPublicKey));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every JDK 15+", e);
    }
  }

  private static byte[] raw(PublicKey key) {
    byte[] spki = key.getEncoded();
    return Arrays.copyOfRange(spki, ED25519_SPKI_PREFIX_BYTES, spki.length);
  }

  private static byte[] aad(int participant) {
    return ("tpw-node-identity-v1|" + participant).getBytes(StandardCharsets.US_ASCII);
  }
}
