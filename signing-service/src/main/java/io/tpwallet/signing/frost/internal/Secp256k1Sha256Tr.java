package io.tpwallet.signing.frost.internal;

import io.tpwallet.signing.frost.Ciphersuite;
import io.tpwallet.signing.frost.Element;
import io.tpwallet.signing.frost.FrostException;
import io.tpwallet.signing.frost.FrostException.Reason;
import io.tpwallet.signing.frost.Group;
import io.tpwallet.signing.frost.Identifier;
import io.tpwallet.signing.frost.KeyPackage;
import io.tpwallet.signing.frost.PublicKeyPackage;
import io.tpwallet.signing.frost.Signature;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * FROST(secp256k1, SHA-256) for Taproot exactly as the Zcash Foundation's frost-secp256k1-tr
 * defines it (its vectors are the arbiter): the challenge is BIP-340's tagged hash over x-only R
 * and key; the group key is negated where its Y is odd before signing and aggregating; signers
 * negate their nonces where the group commitment's Y is odd; signatures are x(R) || z (64 bytes);
 * after key generation the key is tweaked per BIP-341 with an empty merkle root, so that no
 * participant can slip a script path into the group key.
 */
public final class Secp256k1Sha256Tr implements Ciphersuite {

  private static final String CONTEXT = "FROST-secp256k1-SHA256-TR-v1";
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
    return new BigInteger(1, Hashes.taggedHash("BIP0340/challenge", m)).mod(group.order());
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
  public BigInteger challenge(Element r, Element verifyingKey, byte[] message) {
    return h2(Bytes.concat(group.xOnly(r), group.xOnly(verifyingKey), message));
  }

  @Override
  public byte[] serializeSignature(Signature signature) {
    return Bytes.concat(group.xOnly(signature.r()), group.serializeScalar(signature.z()));
  }

  @Override
  public Signature deserializeSignature(byte[] encoded) {
    if (encoded.length != 64) {
      throw new FrostException(Reason.MALFORMED_ELEMENT, "a BIP-340 signature is 64 bytes");
    }
    // Taproot signatures always stand for the even-Y R.
    byte[] r = new byte[33];
    r[0] = 0x02;
    System.arraycopy(encoded, 0, r, 1, 32);
    return new Signature(
        group.deserializeElement(r), group.deserializeScalar(Arrays.copyOfRange(encoded, 32, 64)));
  }

  @Override
  public boolean verify(byte[] message, Signature signature, Element verifyingKey) {
    if (signature.r().isIdentity() || verifyingKey.isIdentity()) {
      return false;
    }
    Element key = evenY(verifyingKey);
    Element r = evenY(signature.r());
    BigInteger c = challenge(r, key, message);
    // [z]G - [c]P = R, one multi-scalar multiplication over public values.
    return group
        .publicLinearCombination(
            List.of(group.generator(), key), List.of(signature.z(), group.order().subtract(c)))
        .equals(r);
  }

  private Element evenY(Element e) {
    return group.hasEvenY(e) ? e : e.negate();
  }

  @Override
  public KeyPackage preSign(KeyPackage k) {
    if (group.hasEvenY(k.verifyingKey())) {
      return k;
    }
    return new KeyPackage(
        k.identifier(),
        group.order().subtract(k.signingShare()).mod(group.order()),
        k.verifyingShare().negate(),
        k.verifyingKey().negate(),
        k.minSigners());
  }

  @Override
  public PublicKeyPackage preAggregate(PublicKeyPackage p) {
    if (group.hasEvenY(p.verifyingKey())) {
      return p;
    }
    Map<Identifier, Element> shares = new TreeMap<>();
    p.verifyingShares().forEach((id, share) -> shares.put(id, share.negate()));
    return PublicKeyPackage.of(shares, p.verifyingKey().negate(), p.minSigners());
  }

  @Override
  public boolean negatesNonces(Element groupCommitment) {
    return !group.hasEvenY(groupCommitment);
  }

  /** BIP-341 {@code int(hashTapTweak(bytes(P)))} for an empty merkle root. */
  public BigInteger tapTweak(Element verifyingKey) {
    return new BigInteger(1, Hashes.taggedHash("TapTweak", group.xOnly(verifyingKey)))
        .mod(group.order());
  }

  @Override
  public KeyPackage postKeygen(KeyPackage keyPackage) {
    BigInteger t = tapTweak(keyPackage.verifyingKey());
    Element tweakPoint = group.multiplyBase(t);
    KeyPackage even = preSign(keyPackage);
    return new KeyPackage(
        even.identifier(),
        even.signingShare().add(t).mod(group.order()),
        even.verifyingShare().add(tweakPoint),
        even.verifyingKey().add(tweakPoint),
        even.minSigners());
  }

  @Override
  public PublicKeyPackage postKeygen(PublicKeyPackage publicKeyPackage) {
    BigInteger t = tapTweak(publicKeyPackage.verifyingKey());
    Element tweakPoint = group.multiplyBase(t);
    PublicKeyPackage even = preAggregate(publicKeyPackage);
    Map<Identifier, Element> shares = new TreeMap<>();
    even.verifyingShares().forEach((id, share) -> shares.put(id, share.add(tweakPoint)));
    return PublicKeyPackage.of(shares, even.verifyingKey().add(tweakPoint), even.minSigners());
  }
}
