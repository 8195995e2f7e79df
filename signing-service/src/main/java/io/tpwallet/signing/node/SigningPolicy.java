package io.tpwallet.signing.node;

import io.tpwallet.signing.wire.Wire;
import io.tpwallet.signing.wire.WireCodec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The rules a node applies before it releases a signature share: a context must be given, in the
 * key's asset, for a positive amount within the per-transaction limit and, with what was signed
 * today, within the per-day limit, to an allowlisted destination, and above the key's approval
 * threshold signed by enough of its registered approvers. Pure, so that it is tested alone.
 */
final class SigningPolicy {

  /** Why a request is refused: a stable code and a sentence. */
  record Refusal(String code, String detail) {}

  static final String NO_CONTEXT = "no-policy-context";
  static final String ASSET = "asset-not-allowed";
  static final String AMOUNT = "amount-not-positive";
  static final String PER_TRANSACTION = "per-transaction-limit";
  static final String PER_DAY = "per-day-limit";
  static final String DESTINATION = "destination-not-allowed";
  static final String APPROVALS = "approvals-missing";

  /** DER prefix of an X.509 SubjectPublicKeyInfo for a raw 32-byte Ed25519 key (RFC 8410). */
  private static final byte[] ED25519_SPKI_PREFIX =
      HexFormat.of().parseHex("302a300506032b6570032100");

  private SigningPolicy() {}

  static Optional<Refusal> check(
      Wire.Policy policy, Wire.@Nullable PolicyContext context, BigInteger signedToday) {
    return check("", policy, context, new byte[0], signedToday);
  }

  /**
   * Every rule, approvals included: an approval is an approver's signature over {@link
   * #approvalPayload} of this key, context and message digest.
   */
  static Optional<Refusal> check(
      String keyId,
      Wire.Policy policy,
      Wire.@Nullable PolicyContext context,
      byte[] messageDigest,
      BigInteger signedToday) {
    if (context == null) {
      return refuse(NO_CONTEXT, "a signature needs a policy context (amount, destination)");
    }
    if (!policy.asset().equals(context.asset())) {
      return refuse(ASSET, "this key signs " + policy.asset() + " only, not " + context.asset());
    }
    if (context.amount().signum() <= 0) {
      return refuse(AMOUNT, "the amount must be positive");
    }
    if (context.amount().compareTo(policy.perTransactionMax()) > 0) {
      return refuse(
          PER_TRANSACTION,
          "amount "
              + context.amount()
              + " is above the per-transaction limit "
              + policy.perTransactionMax());
    }
    BigInteger dayTotal = signedToday.add(context.amount());
    if (dayTotal.compareTo(policy.perDayMax()) > 0) {
      return refuse(
          PER_DAY,
          "amount "
              + context.amount()
              + " with "
              + signedToday
              + " signed today is above the per-day limit "
              + policy.perDayMax());
    }
    if (!policy.destinations().contains(context.destination())) {
      return refuse(DESTINATION, "destination " + context.destination() + " is not allowlisted");
    }
    Wire.Approvals rule = policy.approvals();
    if (rule != null && context.amount().compareTo(rule.above()) > 0) {
      int valid = validApprovers(rule, approvalPayload(keyId, context, messageDigest), context);
      if (valid < rule.required()) {
        return refuse(
            APPROVALS,
            "amount "
                + context.amount()
                + " is above "
                + rule.above()
                + " and needs "
                + rule.required()
                + " approvals by registered approvers, "
                + valid
                + " valid given");
      }
    }
    return Optional.empty();
  }

  /**
   * What an approver signs: the key, the request and what it pays, and the SHA-256 of the message
   * to be signed, as UTF-8 lines, so that an approval cannot be moved to another key, request,
   * amount, destination or transaction.
   */
  static byte[] approvalPayload(String keyId, Wire.PolicyContext c, byte[] messageDigest) {
    return String.join(
            "\n",
            "tpw-signing-approval-v1",
            keyId,
            c.requestId(),
            c.asset(),
            c.amount().toString(),
            c.destination(),
            WireCodec.hex(messageDigest))
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Distinct registered approvers whose signature over the payload verifies. */
  private static int validApprovers(
      Wire.Approvals rule, byte[] payload, Wire.PolicyContext context) {
    List<Wire.Approval> given = context.approvals() == null ? List.of() : context.approvals();
    Set<String> counted = new HashSet<>();
    for (Wire.Approval a : given) {
      if (a == null || a.approver() == null || a.signature() == null) {
        continue;
      }
      String approver = a.approver().toLowerCase(java.util.Locale.ROOT);
      if (rule.approvers().contains(approver)
          && !counted.contains(approver)
          && verifies(approver, a.signature(), payload)) {
        counted.add(approver);
      }
    }
    return counted.size();
  }

  /** A tampered or malformed signature or key counts as not verifying (the JDK may throw). */
  private static boolean verifies(String approverHex, String signatureHex, byte[] payload) {
    try {
      java.security.Signature verifier = java.security.Signature.getInstance("Ed25519");
      verifier.initVerify(ed25519PublicKey(WireCodec.unhex(approverHex)));
      verifier.update(payload);
      return verifier.verify(WireCodec.unhex(signatureHex));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** A raw 32-byte Ed25519 public key as a JDK key; throws for anything else. */
  static PublicKey ed25519PublicKey(byte[] raw) throws GeneralSecurityException {
    if (raw.length != 32) {
      throw new java.security.InvalidKeyException("an Ed25519 public key has 32 bytes");
    }
    byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
    System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
    System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, 32);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
  }

  private static Optional<Refusal> refuse(String code, String detail) {
    return Optional.of(new Refusal(code, detail));
  }
}
