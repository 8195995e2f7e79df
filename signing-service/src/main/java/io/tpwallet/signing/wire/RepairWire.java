package io.tpwallet.signing.wire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The node API's bodies for the repair of a lost share by t helpers. Every secret value travels
 * sealed to its receiver (X25519 + AES-256-GCM, as DKG shares do), so the coordinator relaying them
 * sees only ciphertext. Group elements, keys and ciphertexts are lowercase hex.
 */
public final class RepairWire {

  private RepairWire() {}

  /**
   * Opens a repair at one node: the lost participant checks it has lost its share, a helper that it
   * holds its own; both answer with a transport key for this repair only. {@code refreshId} is the
   * share generation the coordinator signs with (null before any refresh).
   */
  public record Begin(String keyId, String repairId, int participant, @Nullable String refreshId) {}

  /** The node's transport key for this repair, signed by its identity key. */
  public record Begun(int participant, String dhPublic, @Nullable String dhSignature) {}

  /**
   * Step 1 at a helper: the helper set and every transport key (helpers and the lost node), each
   * with its identity signature as the node gave it in {@link Begun}.
   */
  public record Step1Request(
      String keyId,
      String repairId,
      List<Integer> helpers,
      Map<Integer, String> dhPublics,
      Map<Integer, String> dhSignatures) {}

  /** One piece per other helper, each sealed to that helper. */
  public record Step1Response(Map<Integer, String> pieces) {}

  /** Step 2 at a helper: the pieces the other helpers sealed to it, by sender. */
  public record Step2Request(String keyId, String repairId, Map<Integer, String> pieces) {}

  /** The sum of the pieces a helper received, sealed to the lost participant. */
  public record Step2Response(String sum) {}

  /**
   * Step 3 at the lost participant: each helper's sealed sum and signed transport key, by helper.
   */
  public record Step3Request(
      String keyId,
      String repairId,
      Map<Integer, String> dhPublics,
      Map<Integer, String> dhSignatures,
      Map<Integer, String> sums) {}

  /** The repaired share's verifying share, as the lost node checked it against its own record. */
  public record Step3Response(int participant, String verifyingShare) {}

  /** Round one of the repair's test signature. */
  public record TestCommit(String keyId, String repairId) {}

  /** Round two of the repair's test signature: it signs {@link #testMessage} and nothing else. */
  public record TestSign(
      String keyId, String repairId, String sessionId, List<Wire.Commitment> commitments) {}

  /** Commit (seal the tested repaired share) or abort (forget everything of this repair). */
  public record End(String keyId, String repairId) {}

  public record Ended(int participant, boolean shareSealed) {}

  /**
   * The only message a node signs for a repair: made from the key and the repair, so a repair
   * cannot be used to obtain a signature over anything else.
   */
  public static byte[] testMessage(String keyId, String repairId) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(
              ("tpw-signing-repair-test-v1\n" + keyId + "\n" + repairId)
                  .getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
