package io.tpwallet.signing.frost.internal;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hash constructions the ciphersuites need: plain digests, {@code expand_message_xmd} with
 * SHA-256 and {@code hash_to_field} (RFC 9380, as RFC 9591 uses for secp256k1), and BIP-340 tagged
 * hashes.
 */
public final class Hashes {

  private Hashes() {}

  public static byte[] sha256(byte[]... parts) {
    return digest("SHA-256", parts);
  }

  public static byte[] sha512(byte[]... parts) {
    return digest("SHA-512", parts);
  }

  private static byte[] digest(String algorithm, byte[]... parts) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has " + algorithm, e);
    }
    for (byte[] part : parts) {
      md.update(part);
    }
    return md.digest();
  }

  /** RFC 9380 section 5.3.1 with SHA-256 (b_in_bytes 32, s_in_bytes 64). */
  public static byte[] expandMessageXmdSha256(byte[] msg, byte[] dst, int lengthInBytes) {
    if (dst.length > 255 || lengthInBytes > 255 * 32 || lengthInBytes > 65535) {
      throw new IllegalArgumentException("expand_message_xmd input out of range");
    }
    int ell = (lengthInBytes + 31) / 32;
    byte[] dstPrime = Bytes.concat(dst, new byte[] {(byte) dst.length});
    byte[] zPad = new byte[64];
    byte[] libStr = {(byte) (lengthInBytes >>> 8), (byte) lengthInBytes};
    byte[] b0 = sha256(zPad, msg, libStr, new byte[] {0}, dstPrime);
    byte[] out = new byte[ell * 32];
    byte[] previous = sha256(b0, new byte[] {1}, dstPrime);
    System.arraycopy(previous, 0, out, 0, 32);
    for (int i = 2; i <= ell; i++) {
      byte[] mixed = new byte[32];
      for (int j = 0; j < 32; j++) {
        mixed[j] = (byte) (b0[j] ^ previous[j]);
      }
      previous = sha256(mixed, new byte[] {(byte) i}, dstPrime);
      System.arraycopy(previous, 0, out, (i - 1) * 32, 32);
    }
    byte[] result = new byte[lengthInBytes];
    System.arraycopy(out, 0, result, 0, lengthInBytes);
    return result;
  }

  /** hash_to_field with count 1 and L = 48 for a 256-bit prime, reduced modulo {@code order}. */
  public static BigInteger hashToFieldSha256(byte[] msg, byte[] dst, BigInteger order) {
    return new BigInteger(1, expandMessageXmdSha256(msg, dst, 48)).mod(order);
  }

  /** BIP-340 tagged hash: SHA256(SHA256(tag) || SHA256(tag) || parts). */
  public static byte[] taggedHash(String tag, byte[]... parts) {
    byte[] tagHash = sha256(Bytes.ascii(tag));
    byte[][] all = new byte[parts.length + 2][];
    all[0] = tagHash;
    all[1] = tagHash;
    System.arraycopy(parts, 0, all, 2, parts.length);
    return sha256(all);
  }
}
