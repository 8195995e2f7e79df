package io.tpwallet.signing.frost.internal;

import io.tpwallet.signing.frost.Element;
import io.tpwallet.signing.frost.FrostException;
import io.tpwallet.signing.frost.FrostException.Reason;
import io.tpwallet.signing.frost.Group;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.math.ec.rfc7748.X25519Field;
import org.jspecify.annotations.Nullable;

/**
 * The Ed25519 prime-order group (edwards25519, cofactor 8) for FROST-ED25519-SHA512-v1. Point
 * arithmetic is ours, in extended twisted-Edwards coordinates, over BouncyCastle's constant-time
 * field arithmetic ({@link X25519Field}); see docs/adr/0003-frost-curve-arithmetic.md for why.
 * Encoding and decoding (rare, public data) use BigInteger for clarity.
 */
public final class Ed25519Group implements Group {

  static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));
  static final BigInteger L =
      BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));
  static final BigInteger D =
      BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
  private static final BigInteger SQRT_M1 =
      BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);
  private static final int[] FIELD_2D = field(D.shiftLeft(1).mod(P));
  private static final int[] FIELD_ONE = field(BigInteger.ONE);
  private static final int[] FIELD_D = field(D);
  private static final int[] FIELD_ONE_PLUS_D = field(D.add(BigInteger.ONE));
  private static final BigInteger[] LIMB_OFFSETS_BITS = limbOffsets();

  /** Scalars are taken in 4-bit windows: 64 windows of 16 table entries each. */
  static final int WINDOW_BITS = 4;

  static final int WINDOWS = 256 / WINDOW_BITS;
  static final int WINDOW_ENTRIES = 1 << WINDOW_BITS;

  public static final Ed25519Group INSTANCE = new Ed25519Group();

  private final Point identity = new Point(field(BigInteger.ZERO), field(BigInteger.ONE));
  private final Point generator;

  /**
   * {@code baseTable[w][j] = j * 16^w * G}: with it, a base multiplication is 64 additions of
   * entries picked in constant time, against 256 doublings and 64 additions for any other point.
   * Built once (1,024 points, 160 KiB) when the class loads.
   */
  private final Point[][] baseTable;

  /** wNAF width of the points of a linear combination: 8 odd multiples each, made per call. */
  static final int NAF_WIDTH = 5;

  /** wNAF width of the generator in a linear combination: 64 odd multiples, made once. */
  static final int BASE_NAF_WIDTH = 8;

  /** {@code (2j + 1) * G} for j = 0 .. 63, ready for additions. */
  private final Cached[] baseOddMultiples;

  private Ed25519Group() {
    BigInteger y = BigInteger.valueOf(4).multiply(BigInteger.valueOf(5).modInverse(P)).mod(P);
    BigInteger x = recoverX(y, 0);
    if (x == null) {
      throw new IllegalStateException("base point must decode");
    }
    generator = Point.affine(x, y);
    baseTable = new Point[WINDOWS][];
    Point windowBase = generator;
    for (int w = 0; w < WINDOWS; w++) {
      baseTable[w] = Point.multiples(identity, windowBase);
      windowBase = windowBase.timesSixteen();
    }
    baseOddMultiples = oddMultiples(generator, BASE_NAF_WIDTH);
  }

  @Override
  public Element multiplyBase(BigInteger scalar) {
    byte[] k = Bytes.toLittleEndian(scalar.mod(L), 32);
    try {
      Point acc = identity;
      for (int w = 0; w < WINDOWS; w++) {
        acc = acc.add(Point.lookup(baseTable[w], nibble(k, w)));
      }
      return acc;
    } finally {
      java.util.Arrays.fill(k, (byte) 0);
    }
  }

  /** The {@code w}-th 4-bit window of a little-endian scalar. */
  static int nibble(byte[] littleEndian, int w) {
    return (littleEndian[w >>> 1] >>> ((w & 1) * WINDOW_BITS)) & (WINDOW_ENTRIES - 1);
  }

  /**
   * Straus's multi-scalar multiplication with a width-5 wNAF per point (the generator's with width
   * 8 from a table made once): one chain of about 253 doublings shared by all terms plus roughly
   * one addition per six bits of each scalar, against 256 doublings and 64 additions per term for
   * {@link Point#multiply}. Terms with scalar 1 are added as they are; the generator alone goes
   * through the fixed-base table (no doublings). Variable time, as the interface allows.
   */
  @Override
  public Element publicLinearCombination(List<Element> elements, List<BigInteger> scalars) {
    if (elements.size() != scalars.size()) {
      throw new IllegalArgumentException("one scalar per element");
    }
    Point direct = identity;
    BigInteger baseScalar = BigInteger.ZERO;
    List<Cached[]> tables = new ArrayList<>(elements.size() + 1);
    List<byte[]> nafs = new ArrayList<>(elements.size() + 1);
    for (int i = 0; i < elements.size(); i++) {
      Point p = (Point) elements.get(i);
      BigInteger k = scalars.get(i).mod(L);
      if (k.signum() == 0) {
        continue;
      }
      if (p == generator) {
        baseScalar = baseScalar.add(k);
      } else if (k.equals(BigInteger.ONE)) {
        direct = direct.add(p);
      } else {
        tables.add(oddMultiples(p, NAF_WIDTH));
        nafs.add(wnaf(k, NAF_WIDTH));
      }
    }
    baseScalar = baseScalar.mod(L);
    if (nafs.isEmpty()) {
      // No doubling chain to share: the fixed-base table's 64 additions are cheaper.
      return baseScalar.signum() == 0 ? direct : direct.add(multiplyBaseVartime(baseScalar));
    }
    if (baseScalar.signum() != 0) {
      tables.add(baseOddMultiples);
      nafs.add(wnaf(baseScalar, BASE_NAF_WIDTH));
    }
    return straus(tables, nafs).add(direct);
  }

  /**
   * [z]G - [c]K, the sum a signature's verification checks against R, for a public verifying key K:
   * from a fixed-base table of K's own once K has been verified {@link #KEY_TABLE_USES_MIN} times
   * (a coordinator verifies every signature of a key with the same K), which makes it 128 additions
   * and no doublings; before that, and for keys not among the {@link #KEY_TABLES_MAX} most recently
   * verified, the multi-scalar multiplication.
   */
  public Element verificationSum(BigInteger z, BigInteger c, Element verifyingKey) {
    Point key = (Point) verifyingKey;
    BigInteger minusC = L.subtract(c.mod(L)).mod(L);
    Cached[][] table = keyTable(key);
    if (table == null) {
      return publicLinearCombination(List.of(generator, key), List.of(z, minusC));
    }
    Point zg = multiplyBaseVartime(z.mod(L));
    int[] x = copy(zg.x);
    int[] y = copy(zg.y);
    int[] zz = copy(zg.z);
    int[] t = copy(zg.t);
    byte[] k = Bytes.toLittleEndian(minusC, 32);
    for (int w = 0; w < WINDOWS; w++) {
      int n = nibble(k, w);
      if (n != 0) {
        table[w][n].addTo(x, y, zz, t, false);
      }
    }
    return new Point(x, y, zz, t);
  }

  /** Verifying keys with a table of their own, or counting towards one: at most this many. */
  static final int KEY_TABLES_MAX = 16;

  /**
   * A key's table is built at this verification: building one (1,024 points, about 250 KiB) costs
   * about four verifications, so a key verified a few times only never pays for it.
   */
  static final int KEY_TABLE_USES_MIN = 8;

  /** By encoding, least recently verified first; guarded by itself. */
  private final Map<ByteBuffer, KeyTable> keyTables =
      new LinkedHashMap<>(2 * KEY_TABLES_MAX, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, KeyTable> eldest) {
          return size() > KEY_TABLES_MAX;
        }
      };

  private static final class KeyTable {
    int uses; // guarded by keyTables
    volatile Cached @Nullable [][] table;
  }

  /** The key's table, counting this use; null until it is built (by the use that reaches it). */
  private Cached @Nullable [][] keyTable(Point key) {
    ByteBuffer id = ByteBuffer.wrap(key.encode());
    KeyTable entry;
    boolean build = false;
    synchronized (keyTables) {
      entry = keyTables.computeIfAbsent(id, k -> new KeyTable());
      if (entry.uses < KEY_TABLE_USES_MIN) {
        build = ++entry.uses == KEY_TABLE_USES_MIN;
      }
    }
    if (build) {
      entry.table = fixedTable(key); // outside the lock: other keys' verifications go on
    }
    return entry.table;
  }

  /** {@code table[w][j] = j * 16^w * base} in the form ready for additions (j = 0 unused). */
  private Cached[][] fixedTable(Point base) {
    Cached[][] table = new Cached[WINDOWS][WINDOW_ENTRIES];
    Point windowBase = base;
    for (int w = 0; w < WINDOWS; w++) {
      Point[] multiples = Point.multiples(identity, windowBase);
      for (int j = 1; j < WINDOW_ENTRIES; j++) {
        table[w][j] = Cached.of(multiples[j]);
      }
      windowBase = windowBase.timesSixteen();
    }
    return table;
  }

  /** [k]G for a public k from the fixed-base table, skipping zero windows. */
  private Point multiplyBaseVartime(BigInteger k) {
    byte[] bytes = Bytes.toLittleEndian(k, 32);
    Point acc = identity;
    for (int w = 0; w < WINDOWS; w++) {
      int n = nibble(bytes, w);
      if (n != 0) {
        acc = acc.add(baseTable[w][n]);
      }
    }
    return acc;
  }

  /**
   * Sum over j of {@code nafs[j]} applied to the odd multiples {@code tables[j]}, from the top
   * digit down; T is computed only by the doublings an addition follows (and the last).
   */
  private static Point straus(List<Cached[]> tables, List<byte[]> nafs) {
    int top = -1;
    for (byte[] naf : nafs) {
      for (int i = naf.length - 1; i > top; i--) {
        if (naf[i] != 0) {
          top = i;
          break;
        }
      }
    }
    int[] x = X25519Field.create();
    int[] y = copy(FIELD_ONE);
    int[] z = copy(FIELD_ONE);
    int[] t = X25519Field.create();
    for (int i = top; i >= 0; i--) {
      boolean adds = false;
      for (byte[] naf : nafs) {
        adds |= naf[i] != 0;
      }
      if (i < top) {
        Point.doubleInto(x, y, z, x, y, z, adds || i == 0 ? t : null);
      }
      for (int j = 0; j < nafs.size(); j++) {
        int d = nafs.get(j)[i];
        if (d != 0) {
          tables.get(j)[Math.abs(d) >>> 1].addTo(x, y, z, t, d < 0);
        }
      }
    }
    return new Point(x, y, z, t);
  }

  /**
   * The width-{@code w} non-adjacent form of {@code 0 <= k < L}, least significant digit first: odd
   * digits in (-2^(w-1), 2^(w-1)), at least w - 1 zeros after each.
   */
  static byte[] wnaf(BigInteger k, int w) {
    if (k.signum() < 0 || k.compareTo(L) >= 0 || w < 2 || w > 8) {
      throw new IllegalArgumentException("scalar must be 0 .. L - 1, width 2 .. 8");
    }
    byte[] le = Bytes.toLittleEndian(k, 32);
    long[] words = new long[5];
    for (int i = 0; i < 32; i++) {
      words[i >>> 3] |= (le[i] & 0xffL) << ((i & 7) * 8);
    }
    byte[] naf = new byte[256];
    int width = 1 << w;
    long mask = width - 1;
    int pos = 0;
    long carry = 0;
    while (pos < 256) {
      int word = pos >>> 6;
      int bit = pos & 63;
      long bits =
          bit < 64 - w
              ? words[word] >>> bit
              : (words[word] >>> bit) | (words[word + 1] << (64 - bit));
      long window = carry + (bits & mask);
      if ((window & 1) == 0) {
        pos++; // a carry of 1 on a set bit moves on with it
        continue;
      }
      if (window < width / 2) {
        carry = 0;
        naf[pos] = (byte) window;
      } else {
        carry = 1;
        naf[pos] = (byte) (window - width);
      }
      pos += w;
    }
    if (carry != 0) {
      throw new IllegalStateException("k < L < 2^253 leaves no carry past bit 255");
    }
    return naf;
  }

  /** {@code (2j + 1) * p} for j = 0 .. 2^(w-2) - 1. */
  private static Cached[] oddMultiples(Point p, int w) {
    Cached[] table = new Cached[1 << (w - 2)];
    Point twice = p.twice();
    Point odd = p;
    for (int j = 0; j < table.length; j++) {
      if (j > 0) {
        odd = odd.add(twice);
      }
      table[j] = Cached.of(odd);
    }
    return table;
  }

  /**
   * A point prepared for being added: (Y + X, Y - X, 2Z, 2dT), as in ref10, so that an addition
   * takes eight multiplications instead of the unified formula's nine.
   */
  private record Cached(int[] yPlusX, int[] yMinusX, int[] z2, int[] t2d) {

    static Cached of(Point p) {
      int[] yPlusX = X25519Field.create();
      int[] yMinusX = X25519Field.create();
      int[] z2 = X25519Field.create();
      int[] t2d = X25519Field.create();
      Point.add(p.y, p.x, yPlusX);
      Point.sub(p.y, p.x, yMinusX);
      Point.add(p.z, p.z, z2);
      X25519Field.mul(p.t, FIELD_2D, t2d);
      return new Cached(yPlusX, yMinusX, z2, t2d);
    }

    /**
     * (x, y, z, t) += this point, or -= it ({@code negate}: -(X, Y, Z, T) = (-X, Y, Z, -T) swaps Y
     * + X with Y - X and negates 2dT): add-2008-hwcd-3 as in {@link Point#add}.
     */
    void addTo(int[] x, int[] y, int[] z, int[] t, boolean negate) {
      int[] a = X25519Field.create();
      int[] b = X25519Field.create();
      int[] c = X25519Field.create();
      int[] d = X25519Field.create();
      int[] u = X25519Field.create();
      Point.sub(y, x, u);
      X25519Field.mul(u, negate ? yPlusX : yMinusX, a);
      Point.add(y, x, u);
      X25519Field.mul(u, negate ? yMinusX : yPlusX, b);
      X25519Field.mul(t, t2d, c);
      X25519Field.mul(z, z2, d);
      int[] e = X25519Field.create();
      int[] f = X25519Field.create();
      int[] g = X25519Field.create();
      int[] h = u;
      Point.sub(b, a, e);
      if (negate) {
        Point.add(d, c, f);
        Point.sub(d, c, g);
      } else {
        Point.sub(d, c, f);
        Point.add(d, c, g);
      }
      Point.add(b, a, h);
      X25519Field.mul(e, f, x);
      X25519Field.mul(g, h, y);
      X25519Field.mul(e, h, t);
      X25519Field.mul(f, g, z);
    }
  }

  private static int[] copy(int[] a) {
    int[] out = X25519Field.create();
    X25519Field.copy(a, 0, out, 0);
    return out;
  }

  @Override
  public BigInteger order() {
    return L;
  }

  @Override
  public Element identity() {
    return identity;
  }

  @Override
  public Element generator() {
    return generator;
  }

  @Override
  public int elementLength() {
    return 32;
  }

  @Override
  public int scalarLength() {
    return 32;
  }

  @Override
  public byte[] serializeElement(Element element) {
    Point p = (Point) element;
    if (p.isIdentity()) {
      throw new FrostException(Reason.IDENTITY_ELEMENT, "the identity has no encoding");
    }
    return p.encode();
  }

  @Override
  public Element deserializeElement(byte[] encoded) {
    if (encoded.length != 32) {
      throw new FrostException(Reason.MALFORMED_ELEMENT, "an Ed25519 element is 32 bytes");
    }
    byte[] copy = encoded.clone();
    int sign = (copy[31] >>> 7) & 1;
    copy[31] &= 0x7f;
    if (Bytes.fromLittleEndian(copy).compareTo(P) >= 0) {
      throw new FrostException(Reason.MALFORMED_ELEMENT, "non-canonical y coordinate");
    }
    int[] y = X25519Field.create();
    X25519Field.decode(copy, 0, y);
    int[] x = X25519Field.create();
    if (!recoverX(y, sign, x)) {
      throw new FrostException(Reason.MALFORMED_ELEMENT, "not a point on edwards25519");
    }
    Point p = Point.affine(x, y);
    // The input is the canonical encoding (y < p and the sign bit checked above): keep it.
    p.encoding = encoded.clone();
    if (p.isIdentity()) {
      throw new FrostException(Reason.IDENTITY_ELEMENT, "the identity is not a valid element");
    }
    if (!inPrimeOrderSubgroup(x, y)) {
      throw new FrostException(Reason.MALFORMED_ELEMENT, "point outside the prime-order subgroup");
    }
    return p;
  }

  @Override
  public byte[] serializeScalar(BigInteger scalar) {
    return Bytes.toLittleEndian(scalar.mod(L), 32);
  }

  @Override
  public BigInteger deserializeScalar(byte[] encoded) {
    if (encoded.length != 32) {
      throw new FrostException(Reason.MALFORMED_SCALAR, "an Ed25519 scalar is 32 bytes");
    }
    BigInteger s = Bytes.fromLittleEndian(encoded);
    if (s.compareTo(L) >= 0) {
      throw new FrostException(Reason.MALFORMED_SCALAR, "scalar not below the group order");
    }
    return s;
  }

  /**
   * Whether the curve point (x, y), other than the identity, lies in the prime-order subgroup:
   * three halvings by square roots and Legendre symbols (about five field exponentiations) instead
   * of [L]P (252 doublings). The idea is T. Pornin's (IACR ePrint 2022/1164: with cofactor 8, a
   * point is in the subgroup iff it can be halved three times); the formulas below are derived
   * here, with a = -1 and d the curve constants, and tested against [L]P in
   * Ed25519SubgroupCheckTests.
   *
   * <p>Group facts. E(F_p) has order 8L with L prime, so E = G8 x E[L] with |G8| = 8, and E[L] = 8E
   * (8 kills G8 and is invertible modulo L). d is not a square, so every rational point is affine
   * and the only points with 2P = O are (0, 1) and T2 = (0, -1): G8 has one element of order 2,
   * hence is cyclic, and T2 = 4 T8 for a point T8 of order 8, so T2 is in 4E. The halves of a point
   * are Q and Q + T2 = (-x, -y) when Q is one.
   *
   * <p>Lemma (one halving). Let P = (X, Y) with X != 0 and Q = (x, y) over any extension with 2Q =
   * P, s = x^2, t = y^2. The curve gives t(1 - ds) = 1 + s, and the doubling formula y(2Q) = (t +
   * s) / (2 - t + s) then becomes Y = (1 + 2s - ds^2) / (1 - 2ds - ds^2), that is d(1 - Y)s^2 - 2(1
   * + dY)s - (1 - Y) = 0, whose discriminant over 4 is W(Y) = (1 + d)(1 + dY^2) and whose roots
   * multiply to -1/d, not a square (-1 is one since p = 1 mod 4). So: P has a rational half iff
   * W(Y) is a square. Only if: a rational half's s is a rational root. If: both roots are rational,
   * exactly one, s, is a nonzero square (s = 0 would give Y = 1); take x = sqrt(s) and t = (1 + s)
   * / (1 - ds) (ds is not a square, so not 1); the point (x, sqrt(t)) over F_p^2 lies on the curve
   * and doubles to a point of y-coordinate Y, so (negating it if needed) to P; its y-coordinate is
   * X(t - s) / (2x), rational (t = s would make d = -1/s^2 a square). With rho = sqrt(W), the roots
   * are s = ((1 + dY) +- rho) / (d(1 - Y)) and their t = -(1 + d +- rho) / (d((1 + d)Y +- rho));
   * the other root -1/(ds) has t' = -1/(dt), not a square, so exactly one of the two t is a square
   * and its root is the y-coordinate of a half of P or of -P.
   *
   * <p>Last halving by a Legendre symbol. If Q = (x, y) has a rational half R, R is a double iff 1
   * - d s_R is a square (the lemma for R: W(y_R) ~ (1 + d)(t_R - 1) ~ (1 - d s_R) modulo nonzero
   * squares, using t - 1 = s(1 + dt) and t - 1 = s(1 + d) / (1 - ds)). For the other root s' =
   * -1/(d s_R), 1 - d s' = (1 + s_R) / s_R ~ 1 + s_R = t_R(1 - d s_R) ~ 1 - d s_R: either root
   * gives the answer, no square root needed; with s' written out, 1 - d s' ~ ((1 + d)y +- rho)(y -
   * 1).
   *
   * <p>Chain. P is in 8E iff P has a half Q (any, or one of -P, as -P is in 8E iff P is), Q has a
   * half R (any), and R is a double. If P = 8S, its halves 4S + {O, T2} are in 4E since T2 is, and
   * likewise the halves of a point of 4E are in 2E; conversely R = 2R' gives 8R' = +-P.
   */
  static boolean inPrimeOrderSubgroup(BigInteger x, BigInteger y) {
    return inPrimeOrderSubgroup(field(x), field(y));
  }

  /** {@link #inPrimeOrderSubgroup(BigInteger, BigInteger)} on field elements (not modified). */
  static boolean inPrimeOrderSubgroup(int[] x, int[] fy) {
    if (isZero(x)) {
      return false; // (0, -1), of order 2 (the identity is refused before)
    }
    int[] rho = X25519Field.create();
    if (!X25519Field.sqrtRatioVar(halvingDiscriminant(fy), FIELD_ONE, rho)) {
      return false; // P is not a double
    }
    int[] halfY = X25519Field.create();
    if (!halfY(fy, rho, halfY)) {
      negateInPlace(rho);
      if (!halfY(fy, rho, halfY)) {
        throw new IllegalStateException("a double must have a rational half");
      }
    }
    if (!X25519Field.sqrtRatioVar(halvingDiscriminant(halfY), FIELD_ONE, rho)) {
      return false; // the half of P is not a double
    }
    int[] yMinusOne = X25519Field.create();
    X25519Field.copy(halfY, 0, yMinusOne, 0);
    X25519Field.subOne(yMinusOne);
    int[] residue = X25519Field.create();
    for (int attempt = 0; attempt < 2; attempt++) {
      X25519Field.mul(halfY, FIELD_ONE_PLUS_D, residue);
      Point.add(residue, rho, residue);
      X25519Field.mul(residue, yMinusOne, residue);
      if (!isZero(residue)) {
        return X25519Field.sqrtRatioVar(residue, FIELD_ONE, rho);
      }
      negateInPlace(rho); // that root gave 1 - ds' = 0: the other one decides
    }
    throw new IllegalStateException("the two roots cannot both give 1 - ds = 0");
  }

  /** W(y) = (1 + d)(1 + d y^2): a square iff a point of y-coordinate y has a rational half. */
  private static int[] halvingDiscriminant(int[] y) {
    int[] w = X25519Field.create();
    X25519Field.sqr(y, w);
    X25519Field.mul(w, FIELD_D, w);
    X25519Field.addOne(w);
    X25519Field.mul(w, FIELD_ONE_PLUS_D, w);
    return w;
  }

  /**
   * Into {@code out}, sqrt(t) for t = -(1 + d + rho) / (d((1 + d)y + rho)) where it is a square:
   * the y-coordinate of a half (see {@link #inPrimeOrderSubgroup}).
   */
  private static boolean halfY(int[] y, int[] rho, int[] out) {
    int[] num = X25519Field.create();
    int[] den = X25519Field.create();
    Point.add(FIELD_ONE_PLUS_D, rho, num);
    X25519Field.negate(num, num);
    X25519Field.carry(num);
    X25519Field.mul(y, FIELD_ONE_PLUS_D, den);
    Point.add(den, rho, den);
    X25519Field.mul(den, FIELD_D, den);
    return !isZero(den) && X25519Field.sqrtRatioVar(num, den, out);
  }

  private static void negateInPlace(int[] a) {
    X25519Field.negate(a, a);
    X25519Field.carry(a);
  }

  private static boolean isZero(int[] a) {
    int[] c = X25519Field.create();
    X25519Field.copy(a, 0, c, 0);
    X25519Field.normalize(c);
    return X25519Field.isZeroVar(c);
  }

  /**
   * RFC 8032 section 5.1.3 steps 2 to 4 in the field: into {@code x} (normalized) the x-coordinate
   * of sign {@code sign} for {@code y}; false where none exists or x = 0 with sign 1. One
   * exponentiation on ten-limb integers; {@link #recoverX(BigInteger, int)}, the BigInteger
   * reference it is tested against, takes about five times as long.
   */
  static boolean recoverX(int[] y, int sign, int[] x) {
    int[] u = X25519Field.create();
    int[] v = X25519Field.create();
    X25519Field.sqr(y, u);
    X25519Field.mul(u, FIELD_D, v);
    X25519Field.subOne(u); // u = y^2 - 1
    X25519Field.addOne(v); // v = d y^2 + 1, never 0 (d is not a square)
    if (!X25519Field.sqrtRatioVar(u, v, x)) {
      return false;
    }
    X25519Field.normalize(x);
    if (X25519Field.isZeroVar(x)) {
      return sign == 0;
    }
    if ((x[0] & 1) != sign) {
      X25519Field.negate(x, x);
      X25519Field.normalize(x);
    }
    return true;
  }

  /** RFC 8032 section 5.1.3 steps 2 to 4; null where no x exists or x = 0 with sign 1. */
  static BigInteger recoverX(BigInteger y, int sign) {
    BigInteger yy = y.multiply(y).mod(P);
    BigInteger u = yy.subtract(BigInteger.ONE).mod(P);
    BigInteger v = D.multiply(yy).add(BigInteger.ONE).mod(P);
    BigInteger v3 = v.modPow(BigInteger.valueOf(3), P);
    BigInteger v7 = v3.multiply(v3).multiply(v).mod(P);
    BigInteger exponent = P.subtract(BigInteger.valueOf(5)).shiftRight(3);
    BigInteger x = u.multiply(v3).multiply(u.multiply(v7).mod(P).modPow(exponent, P)).mod(P);
    BigInteger vxx = v.multiply(x).multiply(x).mod(P);
    if (!vxx.equals(u)) {
      if (vxx.equals(u.negate().mod(P))) {
        x = x.multiply(SQRT_M1).mod(P);
      } else {
        return null;
      }
    }
    if (x.signum() == 0 && sign == 1) {
      return null;
    }
    if (x.testBit(0) != (sign == 1)) {
      x = P.subtract(x);
    }
    return x;
  }

  static int[] field(BigInteger value) {
    int[] z = X25519Field.create();
    X25519Field.decode(Bytes.toLittleEndian(value.mod(P), 32), 0, z);
    return z;
  }

  private static BigInteger[] limbOffsets() {
    // X25519Field keeps ten limbs of 26, 26, 25, 26 and 25 bits, twice (256 bits, 2^256 = 38).
    int[] bits = {0, 26, 52, 77, 103, 128, 154, 180, 205, 231};
    BigInteger[] out = new BigInteger[bits.length];
    for (int i = 0; i < bits.length; i++) {
      out[i] = BigInteger.ONE.shiftLeft(bits[i]);
    }
    return out;
  }

  /** The integer a field element stands for, reduced modulo p; limbs may be signed. */
  static BigInteger toBigInteger(int[] limbs) {
    BigInteger v = BigInteger.ZERO;
    for (int i = 0; i < X25519Field.SIZE; i++) {
      v = v.add(BigInteger.valueOf(limbs[i]).multiply(LIMB_OFFSETS_BITS[i]));
    }
    return v.mod(P);
  }

  /** A point in extended coordinates (X:Y:Z:T) with x = X/Z, y = Y/Z, xy = T/Z. */
  static final class Point implements Element {
    private final int[] x;
    private final int[] y;
    private final int[] z;
    private final int[] t;

    /**
     * The point's encoding once known (decoded from it, or encoded once): a point never changes,
     * and encoding needs a field inversion that hashing commitments and keys repeated per
     * signature.
     */
    private volatile byte @org.jspecify.annotations.Nullable [] encoding;

    private Point(int[] x, int[] y, int[] z, int[] t) {
      this.x = x;
      this.y = y;
      this.z = z;
      this.t = t;
    }

    /** The identity when given (0, 1). */
    private Point(int[] x, int[] y) {
      this(x, y, field(BigInteger.ONE), field(BigInteger.ZERO));
    }

    static Point affine(BigInteger ax, BigInteger ay) {
      return new Point(field(ax), field(ay), field(BigInteger.ONE), field(ax.multiply(ay)));
    }

    /** The point (x, y), which must be on the curve; takes the arrays. */
    static Point affine(int[] ax, int[] ay) {
      int[] at = X25519Field.create();
      X25519Field.mul(ax, ay, at);
      return new Point(ax, ay, copy(FIELD_ONE), at);
    }

    /** Unified addition (add-2008-hwcd-3, a = -1): complete, so it also doubles. */
    @Override
    public Point add(Element other) {
      Point q = (Point) other;
      int[] a = X25519Field.create();
      int[] b = X25519Field.create();
      int[] c = X25519Field.create();
      int[] d = X25519Field.create();
      int[] u = X25519Field.create();
      int[] w = X25519Field.create();
      sub(y, x, u);
      sub(q.y, q.x, w);
      X25519Field.mul(u, w, a);
      add(y, x, u);
      add(q.y, q.x, w);
      X25519Field.mul(u, w, b);
      X25519Field.mul(t, FIELD_2D, u);
      X25519Field.mul(u, q.t, c);
      add(z, z, u);
      X25519Field.mul(u, q.z, d);
      int[] e = X25519Field.create();
      int[] f = X25519Field.create();
      int[] g = X25519Field.create();
      int[] h = X25519Field.create();
      sub(b, a, e);
      sub(d, c, f);
      add(d, c, g);
      add(b, a, h);
      int[] x3 = X25519Field.create();
      int[] y3 = X25519Field.create();
      int[] z3 = X25519Field.create();
      int[] t3 = X25519Field.create();
      X25519Field.mul(e, f, x3);
      X25519Field.mul(g, h, y3);
      X25519Field.mul(e, h, t3);
      X25519Field.mul(f, g, z3);
      return new Point(x3, y3, z3, t3);
    }

    private static void add(int[] p, int[] q, int[] out) {
      X25519Field.add(p, q, out);
      X25519Field.carry(out);
    }

    private static void sub(int[] p, int[] q, int[] out) {
      X25519Field.sub(p, q, out);
      X25519Field.carry(out);
    }

    @Override
    public Point negate() {
      int[] nx = X25519Field.create();
      int[] nt = X25519Field.create();
      X25519Field.negate(x, nx);
      X25519Field.carry(nx);
      X25519Field.negate(t, nt);
      X25519Field.carry(nt);
      return new Point(nx, copy(y), copy(z), nt);
    }

    /** [2]P. */
    Point twice() {
      int[] x3 = X25519Field.create();
      int[] y3 = X25519Field.create();
      int[] z3 = X25519Field.create();
      int[] t3 = X25519Field.create();
      doubleInto(x, y, z, x3, y3, z3, t3);
      return new Point(x3, y3, z3, t3);
    }

    /**
     * [16]P, the four doublings between two windows. Doubling reads no T, so only the last of the
     * four computes it (the addition after it does read T): three multiplications fewer, as
     * ref10-style implementations do with their completed/projective point types.
     */
    Point timesSixteen() {
      int[] x3 = X25519Field.create();
      int[] y3 = X25519Field.create();
      int[] z3 = X25519Field.create();
      int[] t3 = X25519Field.create();
      doubleInto(x, y, z, x3, y3, z3, null);
      doubleInto(x3, y3, z3, x3, y3, z3, null);
      doubleInto(x3, y3, z3, x3, y3, z3, null);
      doubleInto(x3, y3, z3, x3, y3, z3, t3);
      return new Point(x3, y3, z3, t3);
    }

    /**
     * Doubling (dbl-2008-hwcd, a = -1): four squarings and four multiplications (three without T),
     * against nine multiplications for the unified addition. Reads every input before it writes an
     * output, so the outputs may be the inputs.
     */
    private static void doubleInto(
        int[] x,
        int[] y,
        int[] z,
        int[] x3,
        int[] y3,
        int[] z3,
        int @org.jspecify.annotations.Nullable [] t3) {
      int[] a = X25519Field.create();
      int[] b = X25519Field.create();
      int[] c = X25519Field.create();
      int[] e = X25519Field.create();
      int[] f = X25519Field.create();
      int[] g = X25519Field.create();
      int[] h = X25519Field.create();
      X25519Field.sqr(x, a);
      X25519Field.sqr(y, b);
      X25519Field.sqr(z, c);
      add(c, c, c);
      add(x, y, e);
      X25519Field.sqr(e, e);
      sub(e, a, e);
      sub(e, b, e); // E = (X + Y)^2 - A - B = 2XY
      sub(b, a, g); // G = D + B with D = aA = -A
      sub(g, c, f); // F = G - C
      add(a, b, h);
      X25519Field.negate(h, h);
      X25519Field.carry(h); // H = D - B = -A - B
      X25519Field.mul(e, f, x3);
      X25519Field.mul(g, h, y3);
      if (t3 != null) {
        X25519Field.mul(e, h, t3);
      }
      X25519Field.mul(f, g, z3);
    }

    /**
     * Fixed 4-bit windows over all 256 bits, each window's multiple picked from a table of 16 by a
     * masked scan of every entry, so that neither the sequence of field operations nor the memory
     * read depends on the (secret) scalar.
     */
    @Override
    public Point multiply(BigInteger scalar) {
      byte[] k = Bytes.toLittleEndian(scalar.mod(L), 32);
      try {
        Point[] table = multiples(INSTANCE.identity, this);
        Point acc = INSTANCE.identity;
        for (int w = WINDOWS - 1; w >= 0; w--) {
          acc = acc.timesSixteen();
          acc = acc.add(lookup(table, nibble(k, w)));
        }
        return acc;
      } finally {
        java.util.Arrays.fill(k, (byte) 0);
      }
    }

    /** [8]P: three doublings. */
    Point timesCofactor() {
      return twice().twice().twice();
    }

    /** {@code [0 .. 15] * base}. */
    static Point[] multiples(Point identity, Point base) {
      Point[] table = new Point[WINDOW_ENTRIES];
      table[0] = identity;
      table[1] = base;
      for (int j = 2; j < WINDOW_ENTRIES; j++) {
        table[j] = (j & 1) == 0 ? table[j >>> 1].twice() : table[j - 1].add(base);
      }
      return table;
    }

    /** {@code table[index]}, read by scanning every entry under a mask (constant time). */
    static Point lookup(Point[] table, int index) {
      int[] rx = X25519Field.create();
      int[] ry = X25519Field.create();
      int[] rz = X25519Field.create();
      int[] rt = X25519Field.create();
      for (int j = 0; j < table.length; j++) {
        // -1 when j == index, else 0, without a branch.
        int mask = ((j ^ index) - 1) >> 31;
        Point p = table[j];
        for (int i = 0; i < X25519Field.SIZE; i++) {
          rx[i] |= p.x[i] & mask;
          ry[i] |= p.y[i] & mask;
          rz[i] |= p.z[i] & mask;
          rt[i] |= p.t[i] & mask;
        }
      }
      return new Point(rx, ry, rz, rt);
    }

    @Override
    public boolean isIdentity() {
      // x = 0 and y = z.
      int[] c = copy(x);
      X25519Field.normalize(c);
      if (!X25519Field.isZeroVar(c)) {
        return false;
      }
      sub(y, z, c);
      X25519Field.normalize(c);
      return X25519Field.isZeroVar(c);
    }

    /** {@link #isIdentity} by BigInteger, the reference the tests compare it with. */
    boolean isIdentityReference() {
      return toBigInteger(x).signum() == 0 && toBigInteger(y).equals(toBigInteger(z));
    }

    byte[] encode() {
      byte[] known = encoding;
      if (known == null) {
        known = computeEncoding();
        encoding = known;
      }
      return known.clone();
    }

    private byte[] computeEncoding() {
      int[] zInv = X25519Field.create();
      X25519Field.inv(z, zInv);
      int[] ax = X25519Field.create();
      int[] ay = X25519Field.create();
      X25519Field.mul(x, zInv, ax);
      X25519Field.mul(y, zInv, ay);
      X25519Field.normalize(ax);
      X25519Field.normalize(ay);
      byte[] out = new byte[32];
      X25519Field.encode(ay, out, 0);
      out[31] |= (byte) ((ax[0] & 1) << 7);
      return out;
    }

    /** The encoding by BigInteger (no cache), the reference the tests compare it with. */
    byte[] encodeReference() {
      BigInteger zInv = toBigInteger(z).modInverse(P);
      BigInteger ax = toBigInteger(x).multiply(zInv).mod(P);
      BigInteger ay = toBigInteger(y).multiply(zInv).mod(P);
      byte[] out = Bytes.toLittleEndian(ay, 32);
      if (ax.testBit(0)) {
        out[31] |= (byte) 0x80;
      }
      return out;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Point q)) {
        return false;
      }
      // x1 z2 = x2 z1 and y1 z2 = y2 z1.
      return crossEqual(x, q.z, q.x, z) && crossEqual(y, q.z, q.y, z);
    }

    private static boolean crossEqual(int[] a, int[] b, int[] c, int[] d) {
      int[] ab = X25519Field.create();
      int[] cd = X25519Field.create();
      X25519Field.mul(a, b, ab);
      X25519Field.mul(c, d, cd);
      sub(ab, cd, ab);
      X25519Field.normalize(ab);
      return X25519Field.isZeroVar(ab);
    }

    /** {@link #equals} by BigInteger, the reference the tests compare it with. */
    boolean equalsReference(Point q) {
      BigInteger z1 = toBigInteger(z);
      BigInteger z2 = toBigInteger(q.z);
      return toBigInteger(x).multiply(z2).mod(P).equals(toBigInteger(q.x).multiply(z1).mod(P))
          && toBigInteger(y).multiply(z2).mod(P).equals(toBigInteger(q.y).multiply(z1).mod(P));
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
      return "Ed25519Point(" + java.util.HexFormat.of().formatHex(encode()) + ")";
    }
  }
}
