package io.tpwallet.signing.frost;

import io.tpwallet.signing.frost.internal.Secp256k1Group;
import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.BIP340Signer;

/**
 * Verifiers nobody here wrote: the JDK's Ed25519 (SunEC) and BouncyCastle's BIP-340 signer. A
 * thrown exception on tampered input counts as a reject.
 */
final class IndependentVerifiers {

  private IndependentVerifiers() {}

  static boolean verify(Ciphersuite suite, Element key, byte[] message, byte[] signature) {
    if (suite == Ciphersuites.ED25519_SHA512) {
      return jdkEd25519(suite.group().serializeElement(key), message, signature);
    }
    if (suite == Ciphersuites.SECP256K1_SHA256_TR) {
      return bip340(Secp256k1Group.INSTANCE.xOnly(key), message, signature);
    }
    // Plain FROST(secp256k1, SHA-256) signatures have no standard verifier outside FROST.
    return suite.verify(message, signature, key);
  }

  static boolean jdkEd25519(byte[] rawKey, byte[] message, byte[] signature) {
    try {
      byte[] le = rawKey.clone();
      boolean xOdd = (le[31] & 0x80) != 0;
      le[31] &= 0x7f;
      byte[] be = new byte[32];
      for (int i = 0; i < 32; i++) {
        be[i] = le[31 - i];
      }
      PublicKey publicKey =
          KeyFactory.getInstance("Ed25519")
              .generatePublic(
                  new EdECPublicKeySpec(
                      NamedParameterSpec.ED25519, new EdECPoint(xOdd, new BigInteger(1, be))));
      java.security.Signature verifier = java.security.Signature.getInstance("Ed25519");
      verifier.initVerify(publicKey);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (SignatureException | InvalidKeyException e) {
      return false;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has Ed25519", e);
    }
  }

  static boolean bip340(byte[] xOnlyKey, byte[] message, byte[] signature) {
    try {
      ECPublicKeyParameters key = BIP340Signer.decodePublicKey(xOnlyKey);
      BIP340Signer verifier = new BIP340Signer();
      verifier.init(false, key);
      verifier.update(message, 0, message.length);
      return verifier.verifySignature(signature);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
