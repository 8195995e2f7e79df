package io.tpwallet.signing.address;

import java.math.BigInteger;
import java.util.Arrays;

/** Bitcoin's base58 alphabet, as Solana uses it for addresses (no checksum). */
public final class Base58 {

  private static final String ALPHABET =
      "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  private static final BigInteger BASE = BigInteger.valueOf(58);
  private static final int INPUT_BYTES_MAX = 1024;

  private Base58() {}

  public static String encode(byte[] input) {
    if (input.length > INPUT_BYTES_MAX) {
      throw new IllegalArgumentException("input longer than " + INPUT_BYTES_MAX + " bytes");
    }
    int zeros = 0;
    while (zeros < input.length && input[zeros] == 0) {
      zeros++;
    }
    StringBuilder out = new StringBuilder();
    BigInteger n = new BigInteger(1, input);
    while (n.signum() > 0) {
      BigInteger[] qr = n.divideAndRemainder(BASE);
      out.append(ALPHABET.charAt(qr[1].intValue()));
      n = qr[0];
    }
    out.append("1".repeat(zeros));
    return out.reverse().toString();
  }

  public static byte[] decode(String input) {
    if (input.length() > INPUT_BYTES_MAX * 2) {
      throw new IllegalArgumentException("input too long");
    }
    BigInteger n = BigInteger.ZERO;
    int zeros = 0;
    while (zeros < input.length() && input.charAt(zeros) == '1') {
      zeros++;
    }
    for (int i = 0; i < input.length(); i++) {
      int digit = ALPHABET.indexOf(input.charAt(i));
      if (digit < 0) {
        throw new IllegalArgumentException("not a base58 character at " + i);
      }
      n = n.multiply(BASE).add(BigInteger.valueOf(digit));
    }
    byte[] body = n.signum() == 0 ? new byte[0] : n.toByteArray();
    if (body.length > 1 && body[0] == 0) {
      body = Arrays.copyOfRange(body, 1, body.length);
    }
    byte[] out = new byte[zeros + body.length];
    System.arraycopy(body, 0, out, zeros, body.length);
    return out;
  }
}
