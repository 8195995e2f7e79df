package io.tpwallet.signing.frost;

import java.math.BigInteger;

/** A signer's round-two output, its share {@code z_i} of the signature's scalar. */
public record SignatureShare(Identifier identifier, BigInteger share) {

  public byte[] serialize(Group group) {
    return group.serializeScalar(share);
  }

  public static SignatureShare deserialize(Group group, Identifier identifier, byte[] encoded) {
    return new SignatureShare(identifier, group.deserializeScalar(encoded));
  }
}
