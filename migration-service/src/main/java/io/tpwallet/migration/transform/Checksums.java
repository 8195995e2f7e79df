package io.tpwallet.migration.transform;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * An order-independent checksum of a set of postings: the sum, modulo 2^64, of a 64-bit hash of
 * each posting's key and amount. A sum (unlike XOR) does not cancel a posting that appears twice.
 */
public final class Checksums {

  private Checksums() {}

  /** The hash of one posting; add these up (long overflow is the modulo). */
  public static long of(String key, BigInteger amountMinor) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest((key + "|" + amountMinor).getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(hash, 0, 8).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
