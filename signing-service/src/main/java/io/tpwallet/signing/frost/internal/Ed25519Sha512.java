package io.tpwallet.signing.frost.internal;

import io.tpwallet.signing.frost.Ciphersuite;
import io.tpwallet.signing.frost.Element;
import io.tpwallet.signing.frost.FrostException;
import io.tpwallet.signing.frost.FrostException.Reason;
import io.tpwallet.signing.frost.Group;
import io.tpwallet.signing.frost.Signature;
import java.math.BigInteger;
import java.util.Arrays;

/** FROST(Ed25519, SHA-512), RFC 9591 section 6.1. */
public final class Ed25519Sha512 implements Ciphersuite {

  private static final String CONTEXT = "FROST-ED25519-SHA512-v1";
  private final Ed25519Group group = Ed25519Group.INSTANCE;

  @Override
  public String id() {
    return CONTEXT;
  }

  @Override
  public Group group() {
    return group;
  }

  private BigInteger toScalar(byte[] digest) {
    return Bytes.fromLittleEndian(digest).mod(group.order());
  }

  private BigInteger hashTagged(String tag, byte[] m) {
    return toScalar(Hashes.sha512(Bytes.ascii(CONTEXT + tag), m));
  }

  @Override
  public BigInteger h1(byte[] m) {
    return hashTagged("rho", m);
  }

  @Override
  public BigInteger h2(byte[] m) {
    // No context prefix: the challenge must be Ed25519's own (RFC 8032).
    return toScalar(Hashes.sha512(m));
  }

  @Override
  public BigInteger h3(byte[] m) {
    return hashTagged("nonce", m);
  }

  @Override
  public byte[] h4(byte[] m) {
    return Hashes.sha512(Bytes.ascii(CONTEXT + "msg"), m);
  }

  @Override
  public byte[] h5(byte[] m) {
    return Hashes.sha512(Bytes.ascii(CONTEXT + "com"), m);
  }

  @Override
  public BigInteger hdkg(byte[] m) {
    return hashTagged("dkg", m);
  }

  @Override
  public byte[] serializeSignature(Signature signature) {
    return Bytes.concat(
        group.serializeElement(signature.r()), group.serializeScalar(signature.z()));
  }

  @Override
  public Signature deserializeSignature(byte[] encoded) {
    if (encoded.length != 64) {
      throw new FrostException(Reason.MALFORMED_ELEMENT, "an Ed25519 signature is 64 bytes");
    }
    Element r = group.deserializeElement(Arrays.copyOfRange(encoded, 0, 32));
    BigInteger z = group.deserializeScalar(Arrays.copyOfRange(encoded, 32, 64));
    return new Signature(r, z);
  }

  /** RFC 9591 section 6.1: the cofactored equation [8][z]B = [8]R + [8][c]PK. */
  @Override
  public boolean verify(byte[] message, Signature signature, Element verifyingKey) {
    if (signature.r().isIdentity() || verifyingKey.isIdentity()) {
      return false;
    }
    BigInteger c = challenge(signature.r(), verifyingKey, message);
    Element zbMinusCk = group.verificationSum(signature.z(), c, verifyingKey);
    Element diff = zbMinusCk.subtract(signature.r());
    return ((Ed25519Group.Point) diff).timesCofactor().isIdentity();
  }
}
