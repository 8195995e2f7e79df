package io.tpwallet.signing.address;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * Bech32 (BIP-173) and bech32m (BIP-350) strings and segwit addresses: version 0 programs use
 * bech32, version 1 and later (Taproot) bech32m, as BIP-350 requires.
 */
public final class Bech32 {

  /** Which checksum constant a string uses. */
  public enum Encoding {
    BECH32(1),
    BECH32M(0x2bc830a3);

    final int constant;

    Encoding(int constant) {
      this.constant = constant;
    }
  }

  /** A decoded string: human-readable part, 5-bit data without checksum, and its encoding. */
  public record Decoded(String hrp, byte[] data, Encoding encoding) {}

  /** A decoded segwit address. */
  public record WitnessProgram(int version, byte[] program) {}

  private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  private static final int[] GENERATOR = {
    0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3
  };
  private static final int LENGTH_MAX = 90;

  private Bech32() {}

  public static String encode(String hrp, byte[] data, Encoding encoding) {
    byte[] checksum = checksum(hrp, data, encoding);
    StringBuilder out = new StringBuilder(hrp.length() + 1 + data.length + 6);
    out.append(hrp).append('1');
    for (byte d : data) {
      out.append(CHARSET.charAt(d));
    }
    for (byte c : checksum) {
      out.append(CHARSET.charAt(c));
    }
    return out.toString();
  }

  public static Decoded decode(String s) {
    if (s.length() > LENGTH_MAX) {
      throw new IllegalArgumentException("longer than " + LENGTH_MAX + " characters");
    }
    boolean lower = false;
    boolean upper = false;
    for (char c : s.toCharArray()) {
      if (c < 33 || c > 126) {
        throw new IllegalArgumentException("character out of range");
      }
      lower |= Character.isLowerCase(c);
      upper |= Character.isUpperCase(c);
    }
    if (lower && upper) {
      throw new IllegalArgumentException("mixed case");
    }
    String str = s.toLowerCase(Locale.ROOT);
    int pos = str.lastIndexOf('1');
    if (pos < 1 || pos + 7 > str.length()) {
      throw new IllegalArgumentException("separator missing, empty hrp or checksum too short");
    }
    String hrp = str.substring(0, pos);
    byte[] values = new byte[str.length() - pos - 1];
    for (int i = 0; i < values.length; i++) {
      int v = CHARSET.indexOf(str.charAt(pos + 1 + i));
      if (v < 0) {
        throw new IllegalArgumentException("not a bech32 character");
      }
      values[i] = (byte) v;
    }
    int residue = polymod(hrpExpand(hrp), values);
    Encoding encoding;
    if (residue == Encoding.BECH32.constant) {
      encoding = Encoding.BECH32;
    } else if (residue == Encoding.BECH32M.constant) {
      encoding = Encoding.BECH32M;
    } else {
      throw new IllegalArgumentException("bad checksum");
    }
    byte[] data = java.util.Arrays.copyOf(values, values.length - 6);
    return new Decoded(hrp, data, encoding);
  }

  /** A segwit address: {@code bc}/{@code tb} with version 1 and a 32-byte key is Taproot. */
  public static String segwitAddress(String hrp, int version, byte[] program) {
    checkProgram(version, program);
    byte[] five = convertBits(program, 8, 5, true);
    byte[] data = new byte[five.length + 1];
    data[0] = (byte) version;
    System.arraycopy(five, 0, data, 1, five.length);
    return encode(hrp, data, version == 0 ? Encoding.BECH32 : Encoding.BECH32M);
  }

  public static WitnessProgram decodeSegwit(String expectedHrp, String address) {
    Decoded d = decode(address);
    if (!d.hrp().equals(expectedHrp) || d.data().length < 1) {
      throw new IllegalArgumentException("not a " + expectedHrp + " segwit address");
    }
    int version = d.data()[0];
    if (version > 16) {
      throw new IllegalArgumentException("witness version above 16");
    }
    if ((version == 0) != (d.encoding() == Encoding.BECH32)) {
      throw new IllegalArgumentException("wrong checksum variant for witness version " + version);
    }
    byte[] program =
        convertBits(java.util.Arrays.copyOfRange(d.data(), 1, d.data().length), 5, 8, false);
    checkProgram(version, program);
    return new WitnessProgram(version, program);
  }

  private static void checkProgram(int version, byte[] program) {
    if (version < 0 || version > 16) {
      throw new IllegalArgumentException("witness version must be 0..16");
    }
    if (program.length < 2 || program.length > 40) {
      throw new IllegalArgumentException("witness program must be 2..40 bytes");
    }
    if (version == 0 && program.length != 20 && program.length != 32) {
      throw new IllegalArgumentException("version 0 program must be 20 or 32 bytes");
    }
  }

  private static byte[] checksum(String hrp, byte[] data, Encoding encoding) {
    byte[] padded = java.util.Arrays.copyOf(data, data.length + 6);
    int mod = polymod(hrpExpand(hrp), padded) ^ encoding.constant;
    byte[] out = new byte[6];
    for (int i = 0; i < 6; i++) {
      out[i] = (byte) ((mod >>> (5 * (5 - i))) & 31);
    }
    return out;
  }

  private static byte[] hrpExpand(String hrp) {
    byte[] out = new byte[hrp.length() * 2 + 1];
    for (int i = 0; i < hrp.length(); i++) {
      out[i] = (byte) (hrp.charAt(i) >> 5);
      out[i + hrp.length() + 1] = (byte) (hrp.charAt(i) & 31);
    }
    return out;
  }

  private static int polymod(byte[] hrp, byte[] values) {
    int chk = 1;
    for (byte[] part : new byte[][] {hrp, values}) {
      for (byte v : part) {
        int top = chk >>> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ (v & 0xff);
        for (int i = 0; i < 5; i++) {
          if (((top >>> i) & 1) != 0) {
            chk ^= GENERATOR[i];
          }
        }
      }
    }
    return chk;
  }

  static byte[] convertBits(byte[] in, int from, int to, boolean pad) {
    int acc = 0;
    int bits = 0;
    int maxv = (1 << to) - 1;
    var out = new ByteArrayOutputStream();
    for (byte b : in) {
      int value = b & 0xff;
      if ((value >>> from) != 0) {
        throw new IllegalArgumentException("value out of range");
      }
      acc = (acc << from) | value;
      bits += from;
      while (bits >= to) {
        bits -= to;
        out.write((acc >>> bits) & maxv);
      }
    }
    if (pad) {
      if (bits > 0) {
        out.write((acc << (to - bits)) & maxv);
      }
    } else if (bits >= from || ((acc << (to - bits)) & maxv) != 0) {
      throw new IllegalArgumentException("invalid padding");
    }
    return out.toByteArray();
  }
}
