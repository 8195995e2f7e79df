package io.tpwallet.signing.frost;

import io.tpwallet.signing.frost.internal.Bytes;
import java.math.BigInteger;

/**
 * A FROST ciphersuite (RFC 9591 section 6): the group, the hash functions H1 to H5 (plus HDKG for
 * the DKG's proof of knowledge, as ZF frost defines it) and the signature encoding. The default
 * methods are the RFC's behaviour; the Taproot suite overrides them where ZF frost-secp256k1-tr
 * does (the same variation points: pre-sign, pre-aggregate, challenge, share, post-keygen).
 */
public interface Ciphersuite {

  /** The context string, e.g. {@code FROST-ED25519-SHA512-v1}. */
  String id();

  Group group();

  /** Binding factor hash (RFC 9591 "rho"). */
  BigInteger h1(byte[] m);

  /** Challenge hash. */
  BigInteger h2(byte[] m);

  /** Nonce derivation hash. */
  BigInteger h3(byte[] m);

  /** Message hash. */
  byte[] h4(byte[] m);

  /** Commitment list hash. */
  byte[] h5(byte[] m);

  /** The DKG proof-of-knowledge challenge hash (ZF frost "dkg"). */
  BigInteger hdkg(byte[] m);

  /** The signature challenge c = H2(R || PK || msg) in the RFC; BIP-340's for Taproot. */
  default BigInteger challenge(Element r, Element verifyingKey, byte[] message) {
    Group g = group();
    return h2(Bytes.concat(g.serializeElement(r), g.serializeElement(verifyingKey), message));
  }

  byte[] serializeSignature(Signature signature);

  Signature deserializeSignature(byte[] encoded);

  /** Verifies a signature the way an ordinary single-key verifier of this suite would. */
  boolean verify(byte[] message, Signature signature, Element verifyingKey);

  default boolean verify(byte[] message, byte[] signature, Element verifyingKey) {
    Signature decoded;
    try {
      decoded = deserializeSignature(signature);
    } catch (FrostException e) {
      return false;
    }
    return verify(message, decoded, verifyingKey);
  }

  /** Key material as a signer uses it in round two (Taproot: even-Y group key). */
  default KeyPackage preSign(KeyPackage keyPackage) {
    return keyPackage;
  }

  /** Public key material as the aggregator uses it (Taproot: even-Y group key). */
  default PublicKeyPackage preAggregate(PublicKeyPackage publicKeyPackage) {
    return publicKeyPackage;
  }

  /** Whether signers negate their nonces for this group commitment (Taproot: odd-Y R). */
  default boolean negatesNonces(Element groupCommitment) {
    return false;
  }

  /** Applied to a signer's key material after DKG (Taproot: BIP-341 TapTweak, empty root). */
  default KeyPackage postKeygen(KeyPackage keyPackage) {
    return keyPackage;
  }

  /** Applied to the public key material after DKG, as {@link #postKeygen(KeyPackage)}. */
  default PublicKeyPackage postKeygen(PublicKeyPackage publicKeyPackage) {
    return publicKeyPackage;
  }
}
