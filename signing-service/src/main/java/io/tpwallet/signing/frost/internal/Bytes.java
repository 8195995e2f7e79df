package io.tpwallet.signing.frost.internal;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** Byte-string helpers: concatenation and fixed-width integer encodings. */
public final class Bytes {

  private Bytes() {}

  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  public static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Big-endian, exactly {@code length} bytes; the value must fit. */
  public static byte[] toBigEndian(BigInteger value, int length) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(raw.length, length);
    if (raw.length > length && !(raw.length == length + 1 && raw[0] == 0)) {
      throw new IllegalArgumentException("value does not fit in " + length + " bytes");
    }
    System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
    return out;
  }

  public static byte[] toLittleEndian(BigInteger value, int length) {
    return reverse(toBigEndian(value, length));
  }

  public static BigInteger fromLittleEndian(byte[] bytes) {
    return new BigInteger(1, reverse(bytes));
  }

  public static byte[] reverse(byte[] bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[bytes.length - 1 - i];
    }
    return out;
  }
}
