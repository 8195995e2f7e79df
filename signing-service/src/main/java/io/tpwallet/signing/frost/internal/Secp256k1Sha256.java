package io.tpwallet.signing.frost.internal;

import io.tpwallet.signing.frost.Ciphersuite;
import io.tpwallet.signing.frost.Element;
import io.tpwallet.signing.frost.FrostException;
import io.tpwallet.signing.frost.FrostException.Reason;
import io.tpwallet.signing.frost.Group;
import io.tpwallet.signing.frost.Signature;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

/** FROST(secp256k1, SHA-256), RFC 9591 section 6.5. */
public final class Secp256k1Sha256 implements Ciphersuite {

  private static final String CONTEXT = "FROST-secp256k1-SHA256-v1";
  private final Secp256k1Group group = Secp256k1Group.INSTANCE;

  @Override
  public String id() {
    return CONTEXT;
  }

  @Override
  public Group group() {
    return group;
  }

  private BigInteger hashToScalar(String tag, byte[] m) {
    return Hashes.hashToFieldSha256(m, Bytes.ascii(CONTEXT + tag), group.order());
  }

  @Override
  public BigInteger h1(byte[] m) {
    return hashToScalar("rho", m);
  }

  @Override
  public BigInteger h2(byte[] m) {
    return hashToScalar("chal", m);
  }

  @Override
  public BigInteger h3(byte[] m) {
    return hashToScalar("nonce", m);
  }

  @Override
  public byte[] h4(byte[] m) {
    return Hashes.sha256(Bytes.ascii(CONTEXT + "msg"), m);
  }

  @Override
  public byte[] h5(byte[] m) {
    return Hashes.sha256(Bytes.ascii(CONTEXT + "com"), m);
  }

  @Override
  public BigInteger hdkg(byte[] m) {
    return hashToScalar("dkg", m);
  }

  @Override
  public byte[] serializeSignature(Signature signature) {
    return Bytes.concat(
        group.serializeElement(signature.r()), group.serializeScalar(signature.z()));
  }

  @Override
  public Signature deserializeSignature(byte[] encoded) {
    if (encoded.length != 65) {
      throw new FrostException(Reason.MALFORMED_ELEMENT, "a signature is 65 bytes");
    }
    Element r = group.deserializeElement(Arrays.copyOfRange(encoded, 0, 33));
    BigInteger z = group.deserializeScalar(Arrays.copyOfRange(encoded, 33, 65));
    return new Signature(r, z);
  }

  @Override
  public boolean verify(byte[] message, Signature signature, Element verifyingKey) {
    if (signature.r().isIdentity() || verifyingKey.isIdentity()) {
      return false;
    }
    BigInteger c = challenge(signature.r(), verifyingKey, message);
    // [z]G - [c]P = R, one multi-scalar multiplication over public values.
    return group
        .publicLinearCombination(
            List.of(group.generator(), verifyingKey),
            List.of(signature.z(), group.order().subtract(c)))
        .equals(signature.r());
  }
}
