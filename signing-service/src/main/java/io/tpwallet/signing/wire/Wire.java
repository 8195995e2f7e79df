package io.tpwallet.signing.wire;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The node API's request and response bodies. Group elements and scalars are lowercase hex. */
public final class Wire {

  private Wire() {}

  /**
   * A key's policy, fixed at the nodes when the key is made: limits in minor units of {@code
   * asset}, and the only destinations a signature may pay.
   */
  public record Policy(
      String asset,
      BigInteger perTransactionMax,
      BigInteger perDayMax,
      List<String> destinations,
      @Nullable Approvals approvals) {}

  /**
   * Above {@code above} (minor units), a signature needs {@code required} distinct approvers among
   * {@code approvers} (raw 32-byte Ed25519 public keys, hex) to have signed the request.
   */
  public record Approvals(BigInteger above, int required, List<String> approvers) {}

  /** One approver's Ed25519 signature (hex) over the request's approval payload. */
  public record Approval(String approver, String signature) {}

  /** What a signature pays, as the requester describes it; each node checks it against policy. */
  public record PolicyContext(
      String requestId,
      String asset,
      BigInteger amount,
      String destination,
      @Nullable List<Approval> approvals) {}

  /** A DKG round-one broadcast plus the sender's ephemeral X25519 key for round two. */
  public record Round1(List<String> commitment, String proofR, String proofZ, String dhPublic) {}

  public record DkgRound1Request(
      String keyId,
      String suite,
      int participant,
      List<Integer> participants,
      int minSigners,
      Policy policy) {}

  public record DkgRound2Request(String keyId, Map<Integer, Round1> round1) {}

  /** The echo digest of everything broadcast, and one encrypted share per other participant. */
  public record DkgRound2Response(String echo, Map<Integer, String> sealedShares) {}

  public record DkgFinishRequest(
      String keyId, Map<Integer, String> sealedShares, Map<Integer, String> echoes) {}

  public record DkgFinishResponse(int participant, String groupKey, String verifyingShare) {}

  public record CommitRequest(String keyId) {}

  public record Commitment(int participant, String hiding, String binding) {}

  public record CommitResponse(String sessionId, Commitment commitment) {}

  public record SignRequest(
      String keyId,
      String sessionId,
      String message,
      List<Commitment> commitments,
      @Nullable PolicyContext context) {}

  public record SignResponse(int participant, String share) {}
}
