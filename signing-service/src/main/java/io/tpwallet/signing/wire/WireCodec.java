package io.tpwallet.signing.wire;

import io.tpwallet.signing.frost.Ciphersuite;
import io.tpwallet.signing.frost.Dkg;
import io.tpwallet.signing.frost.Element;
import io.tpwallet.signing.frost.Group;
import io.tpwallet.signing.frost.Identifier;
import io.tpwallet.signing.frost.SigningCommitments;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Hex encodings of the library's values for the wire. Decoding goes through the group's own
 * deserializers, so every RFC 9591 input check applies to what arrives over HTTP.
 */
public final class WireCodec {

  private static final HexFormat HEX = HexFormat.of();
  private static final int HEX_CHARS_MAX = 1 << 20;

  private WireCodec() {}

  public static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  /** Decodes hex; refuses anything that is not even-length lowercase or uppercase hex. */
  public static byte[] unhex(String hex) {
    if (hex.length() > HEX_CHARS_MAX) {
      throw new IllegalArgumentException("hex value too long");
    }
    return HEX.parseHex(hex);
  }

  public static String element(Group group, Element e) {
    return hex(group.serializeElement(e));
  }

  public static Element element(Group group, String hex) {
    return group.deserializeElement(unhex(hex));
  }

  public static String scalar(Group group, BigInteger s) {
    return hex(group.serializeScalar(s));
  }

  public static BigInteger scalar(Group group, String hex) {
    return group.deserializeScalar(unhex(hex));
  }

  public static Wire.Round1 round1(
      Group group, Dkg.Round1Package pkg, String dhPublicHex, String dhSignatureHex) {
    return new Wire.Round1(
        pkg.commitment().stream().map(c -> element(group, c)).toList(),
        element(group, pkg.proofR()),
        scalar(group, pkg.proofZ()),
        dhPublicHex,
        dhSignatureHex);
  }

  public static Dkg.Round1Package round1(Group group, Wire.Round1 wire) {
    List<Element> commitment = wire.commitment().stream().map(c -> element(group, c)).toList();
    return new Dkg.Round1Package(
        commitment, element(group, wire.proofR()), scalar(group, wire.proofZ()));
  }

  public static Wire.Commitment commitment(Ciphersuite suite, SigningCommitments c) {
    Group g = suite.group();
    return new Wire.Commitment(
        c.identifier().value().intValueExact(), element(g, c.hiding()), element(g, c.binding()));
  }

  public static SigningCommitments commitment(Ciphersuite suite, Wire.Commitment c) {
    Group g = suite.group();
    return new SigningCommitments(
        Identifier.of(c.participant()), element(g, c.hiding()), element(g, c.binding()));
  }

  /** A policy's approval rule as stored in one text column: threshold, count, then each key. */
  public static @Nullable String approvalsText(Wire.@Nullable Approvals a) {
    if (a == null) {
      return null;
    }
    List<String> lines = new ArrayList<>();
    lines.add(a.above().toString());
    lines.add(Integer.toString(a.required()));
    lines.addAll(a.approvers());
    return String.join("\n", lines);
  }

  public static Wire.@Nullable Approvals approvals(@Nullable String text) {
    if (text == null) {
      return null;
    }
    List<String> lines = List.of(text.split("\n"));
    return new Wire.Approvals(
        new BigInteger(lines.get(0)),
        Integer.parseInt(lines.get(1)),
        List.copyOf(lines.subList(2, lines.size())));
  }
}
