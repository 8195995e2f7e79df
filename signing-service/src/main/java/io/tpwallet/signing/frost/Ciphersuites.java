package io.tpwallet.signing.frost;

import io.tpwallet.signing.frost.internal.Ed25519Sha512;
import io.tpwallet.signing.frost.internal.Secp256k1Sha256;
import io.tpwallet.signing.frost.internal.Secp256k1Sha256Tr;
import java.util.List;

/** The ciphersuites this library implements. */
public final class Ciphersuites {

  /** FROST(Ed25519, SHA-512), RFC 9591 section 6.1: signatures verify as plain Ed25519. */
  public static final Ciphersuite ED25519_SHA512 = new Ed25519Sha512();

  /** FROST(secp256k1, SHA-256), RFC 9591 section 6.5. */
  public static final Ciphersuite SECP256K1_SHA256 = new Secp256k1Sha256();

  /**
   * FROST(secp256k1, SHA-256) for Taproot, as ZF frost-secp256k1-tr defines it: BIP-340 signatures,
   * even-Y keys and nonces, BIP-341 TapTweak after key generation.
   */
  public static final Ciphersuite SECP256K1_SHA256_TR = new Secp256k1Sha256Tr();

  private Ciphersuites() {}

  public static List<Ciphersuite> all() {
    return List.of(ED25519_SHA512, SECP256K1_SHA256, SECP256K1_SHA256_TR);
  }

  public static Ciphersuite byId(String id) {
    return all().stream()
        .filter(c -> c.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown ciphersuite " + id));
  }
}
