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

  /**
   * A DKG round-one broadcast plus the sender's ephemeral X25519 key for round two, signed by the
   * sender's identity key ({@code dhSignature}, Ed25519, hex) so that its peers can tell it from a
   * relay's substitute.
   */
  public record Round1(
      List<String> commitment,
      String proofR,
      String proofZ,
      String dhPublic,
      @Nullable String dhSignature) {}

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

  /**
   * Round one. {@code refreshId}: the share generation the coordinator signs with (null before any
   * refresh); {@code refreshTest}: the test signature of a refresh, with its pending shares.
   */
  public record CommitRequest(
      String keyId, @Nullable String refreshId, @Nullable Boolean refreshTest) {
    public CommitRequest(String keyId) {
      this(keyId, null, false);
    }

    public boolean isRefreshTest() {
      return Boolean.TRUE.equals(refreshTest);
    }
  }

  public record Commitment(int participant, String hiding, String binding) {}

  public record CommitResponse(String sessionId, Commitment commitment) {}

  public record SignRequest(
      String keyId,
      String sessionId,
      String message,
      List<Commitment> commitments,
      @Nullable PolicyContext context,
      @Nullable String refreshId,
      @Nullable Boolean refreshTest) {

    public boolean isRefreshTest() {
      return Boolean.TRUE.equals(refreshTest);
    }

    public SignRequest(
        String keyId,
        String sessionId,
        String message,
        List<Commitment> commitments,
        @Nullable PolicyContext context) {
      this(keyId, sessionId, message, commitments, context, null, false);
    }
  }

  // ---- share refresh (same key, new shares; the old ones stay until the new ones signed) ------

  /**
   * Refresh round one at one node: the zero-constant commitment and a transport key, signed by the
   * node's identity key.
   */
  public record RefreshRound1(
      List<String> commitment, String dhPublic, @Nullable String dhSignature) {}

  public record RefreshRound1Request(String keyId, String refreshId, List<Integer> participants) {}

  public record RefreshRound2Request(
      String keyId, String refreshId, Map<Integer, RefreshRound1> round1) {}

  /**
   * The last step: the shares sent to this node, every node's echo, and the verifying shares of the
   * key as the coordinator holds them (this node checks its own against what it holds).
   */
  public record RefreshFinishRequest(
      String keyId,
      String refreshId,
      Map<Integer, String> sealedShares,
      Map<Integer, String> echoes,
      Map<Integer, String> verifyingShares) {}

  /** Commit (the test signature succeeded: destroy the old share) or abort (drop the new one). */
  public record RefreshEndRequest(String keyId, String refreshId) {}

  /** What a node holds after a commit or an abort: which generation is active. */
  public record RefreshEndResponse(
      int participant, @Nullable String activeRefreshId, String verifyingShare) {}

  /**
   * The only message a node signs with pending shares: it is made from the key and the refresh, so
   * a coordinator cannot use a refresh to obtain a signature over anything else.
   */
  public static byte[] refreshTestMessage(String keyId, String refreshId) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256")
          .digest(
              ("tpw-signing-refresh-test-v1\n" + keyId + "\n" + refreshId)
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public record SignResponse(int participant, String share) {}

  // ---- batched signing (several concurrent signatures of one key per exchange) ---------------

  /** Round one for {@code count} signatures of one key at once: that many fresh sessions. */
  public record CommitBatchRequest(String keyId, @Nullable String refreshId, int count) {}

  /** The fresh sessions, each with its own single-use nonces. */
  public record CommitBatchResponse(List<CommitResponse> sessions) {}

  /**
   * Round two for several signatures at once; each item is judged on its own. {@code ahead}: how
   * many fresh round-one sessions of the first item's key the node should hand out with its answer
   * for later batches (FROST preprocessing; best effort, none if absent).
   */
  public record SignBatchRequest(List<SignRequest> items, @Nullable Integer ahead) {
    public SignBatchRequest(List<SignRequest> items) {
      this(items, null);
    }

    public int aheadCount() {
      return ahead == null ? 0 : ahead;
    }
  }

  /**
   * One result per item, in the request's order, and the fresh sessions asked for ahead (each
   * single-use, held only in the node's memory).
   */
  public record SignBatchResponse(List<SignResult> results, @Nullable List<CommitResponse> ahead) {
    public SignBatchResponse(List<SignResult> results) {
      this(results, null);
    }

    public List<CommitResponse> aheadSessions() {
      return ahead == null ? List.of() : ahead;
    }
  }

  /** An item's share, or the problem (RFC 9457 fields) that refused that item alone. */
  public record SignResult(@Nullable SignResponse share, @Nullable ItemProblem problem) {}

  /** The problem detail the node would have answered for this item as a single request. */
  public record ItemProblem(
      int status,
      String type,
      String detail,
      @Nullable String reason,
      @Nullable Map<String, Object> properties) {}
}
