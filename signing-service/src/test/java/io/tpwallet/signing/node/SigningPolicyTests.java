package io.tpwallet.signing.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.signing.wire.Wire;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SigningPolicyTests {

  private static final Wire.Policy POLICY =
      new Wire.Policy(
          "SOL",
          BigInteger.valueOf(1_000),
          BigInteger.valueOf(2_500),
          List.of("DestA111", "DestB222"),
          null);

  private static Optional<String> check(String asset, long amount, String to, long today) {
    return SigningPolicy.check(
            POLICY,
            new Wire.PolicyContext("r-1", asset, BigInteger.valueOf(amount), to, null),
            BigInteger.valueOf(today))
        .map(SigningPolicy.Refusal::code);
  }

  @Test
  void aPayoutWithinEveryLimitToAnAllowlistedDestinationPasses() {
    assertThat(check("SOL", 1_000, "DestA111", 1_500)).isEmpty();
    assertThat(check("SOL", 1, "DestB222", 0)).isEmpty();
  }

  @Test
  void thePerTransactionLimitIsInclusive() {
    assertThat(check("SOL", 1_000, "DestA111", 0)).isEmpty();
    assertThat(check("SOL", 1_001, "DestA111", 0)).contains(SigningPolicy.PER_TRANSACTION);
  }

  @Test
  void thePerDayLimitCountsWhatWasSignedToday() {
    assertThat(check("SOL", 500, "DestA111", 2_000)).isEmpty();
    assertThat(check("SOL", 501, "DestA111", 2_000)).contains(SigningPolicy.PER_DAY);
  }

  @Test
  void aDestinationOffTheAllowlistIsRefusedEvenForSmallAmounts() {
    assertThat(check("SOL", 1, "Mallory", 0)).contains(SigningPolicy.DESTINATION);
    assertThat(check("SOL", 1, "desta111", 0)).contains(SigningPolicy.DESTINATION);
  }

  @Test
  void anotherAssetOrANonPositiveAmountOrNoContextIsRefused() {
    assertThat(check("BTC", 1, "DestA111", 0)).contains(SigningPolicy.ASSET);
    assertThat(check("SOL", 0, "DestA111", 0)).contains(SigningPolicy.AMOUNT);
    assertThat(check("SOL", -5, "DestA111", 0)).contains(SigningPolicy.AMOUNT);
    assertThat(SigningPolicy.check(POLICY, null, BigInteger.ZERO))
        .map(SigningPolicy.Refusal::code)
        .contains(SigningPolicy.NO_CONTEXT);
  }

  @Test
  void amountsBeyondALongAreComparedExactly() {
    var big =
        new Wire.Policy(
            "ETH",
            new BigInteger("100000000000000000000"),
            new BigInteger("100000000000000000000"),
            List.of("0xabc"),
            null);
    var ok =
        new Wire.PolicyContext("r", "ETH", new BigInteger("100000000000000000000"), "0xabc", null);
    var over =
        new Wire.PolicyContext("r", "ETH", new BigInteger("100000000000000000001"), "0xabc", null);
    assertThat(SigningPolicy.check(big, ok, BigInteger.ZERO)).isEmpty();
    assertThat(SigningPolicy.check(big, over, BigInteger.ZERO))
        .map(SigningPolicy.Refusal::code)
        .contains(SigningPolicy.PER_TRANSACTION);
  }

  // --- approvals: above 500, two of three registered approvers must have signed the request ---

  private static final byte[] DIGEST = new byte[32];

  private static KeyPair approver() throws GeneralSecurityException {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  /** The raw 32-byte key: the last 32 bytes of the X.509 encoding (RFC 8410). */
  private static String raw(KeyPair k) {
    byte[] spki = k.getPublic().getEncoded();
    return HexFormat.of().formatHex(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
  }

  private static Wire.Approval approval(KeyPair k, String keyId, Wire.PolicyContext c)
      throws GeneralSecurityException {
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(k.getPrivate());
    signer.update(SigningPolicy.approvalPayload(keyId, c, DIGEST));
    return new Wire.Approval(raw(k), HexFormat.of().formatHex(signer.sign()));
  }

  private static Optional<String> checkApproved(
      Wire.Policy policy, Wire.PolicyContext base, List<Wire.Approval> approvals) {
    var c =
        new Wire.PolicyContext(
            base.requestId(), base.asset(), base.amount(), base.destination(), approvals);
    return SigningPolicy.check("key-1", policy, c, DIGEST, BigInteger.ZERO)
        .map(SigningPolicy.Refusal::code);
  }

  @Test
  void aboveTheThresholdEnoughDistinctRegisteredApproversMustHaveSignedThisRequest()
      throws GeneralSecurityException {
    KeyPair a = approver();
    KeyPair b = approver();
    KeyPair c = approver();
    KeyPair outsider = approver();
    var policy =
        new Wire.Policy(
            "SOL",
            BigInteger.valueOf(1_000),
            BigInteger.valueOf(2_500),
            List.of("DestA111"),
            new Wire.Approvals(BigInteger.valueOf(500), 2, List.of(raw(a), raw(b), raw(c))));
    var small = new Wire.PolicyContext("r-1", "SOL", BigInteger.valueOf(500), "DestA111", null);
    var large = new Wire.PolicyContext("r-2", "SOL", BigInteger.valueOf(501), "DestA111", null);

    // At the threshold none is needed; above it, two distinct registered approvers are.
    assertThat(checkApproved(policy, small, null)).isEmpty();
    assertThat(checkApproved(policy, large, null)).contains(SigningPolicy.APPROVALS);
    assertThat(checkApproved(policy, large, List.of(approval(a, "key-1", large))))
        .contains(SigningPolicy.APPROVALS);
    assertThat(
            checkApproved(
                policy, large, List.of(approval(a, "key-1", large), approval(c, "key-1", large))))
        .isEmpty();

    // The same approver twice counts once; an unregistered key does not count.
    assertThat(
            checkApproved(
                policy, large, List.of(approval(a, "key-1", large), approval(a, "key-1", large))))
        .contains(SigningPolicy.APPROVALS);
    assertThat(
            checkApproved(
                policy,
                large,
                List.of(approval(a, "key-1", large), approval(outsider, "key-1", large))))
        .contains(SigningPolicy.APPROVALS);

    // Approvals of another request, key or amount do not carry over.
    var otherAmount =
        new Wire.PolicyContext("r-2", "SOL", BigInteger.valueOf(900), "DestA111", null);
    assertThat(
            checkApproved(
                policy,
                otherAmount,
                List.of(approval(a, "key-1", large), approval(b, "key-1", large))))
        .contains(SigningPolicy.APPROVALS);
    assertThat(
            checkApproved(
                policy, large, List.of(approval(a, "key-2", large), approval(b, "key-2", large))))
        .contains(SigningPolicy.APPROVALS);

    // A tampered or malformed signature is a reject, not an error.
    Wire.Approval good = approval(b, "key-1", large);
    byte[] sig = HexFormat.of().parseHex(good.signature());
    sig[5] ^= 1;
    var tampered = new Wire.Approval(good.approver(), HexFormat.of().formatHex(sig));
    assertThat(
            checkApproved(
                policy,
                large,
                List.of(approval(a, "key-1", large), tampered, new Wire.Approval(raw(c), "zz"))))
        .contains(SigningPolicy.APPROVALS);
  }
}
