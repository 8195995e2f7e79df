package io.tpwallet.signing.node;

import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** The problems a signer node answers with; their types are stable for the coordinator. */
final class NodeProblems {

  static final URI POLICY_REFUSED = ProblemTypes.of("signing-policy-refused");
  static final URI NONCES_UNAVAILABLE = ProblemTypes.of("signing-nonces-unavailable");
  static final URI UNKNOWN_KEY = ProblemTypes.of("signing-unknown-key");
  static final URI PROTOCOL = ProblemTypes.of("signing-protocol-error");
  static final URI BUSY = ProblemTypes.of("signing-node-busy");
  static final URI STALE_SHARES = ProblemTypes.of("signing-shares-stale");
  static final URI PEER_UNKNOWN = ProblemTypes.of("signing-peer-unknown");

  private NodeProblems() {}

  static ProblemException policyRefused(String reason, String detail) {
    return new ProblemException(
        HttpStatus.FORBIDDEN,
        POLICY_REFUSED,
        "Refused by signing policy",
        detail,
        Map.of("reason", reason));
  }

  /** The roster does not pin {@code participants} as they are (or is missing or not valid). */
  static ProblemException peerUnknown(String detail, java.util.List<Integer> participants) {
    return new ProblemException(
        HttpStatus.CONFLICT,
        PEER_UNKNOWN,
        "Peer not in roster",
        detail,
        Map.of("participants", participants));
  }

  static ProblemException busy(String detail) {
    return new ProblemException(
        HttpStatus.SERVICE_UNAVAILABLE, BUSY, "Signer node busy", detail + "; retry shortly.");
  }

  static ProblemException staleShares(
      String keyId,
      @org.jspecify.annotations.Nullable String asked,
      @org.jspecify.annotations.Nullable String active) {
    return new ProblemException(
        HttpStatus.CONFLICT,
        STALE_SHARES,
        "Other share generation",
        "Key "
            + keyId
            + ": asked for share generation "
            + asked
            + ", this node holds "
            + active
            + ".");
  }

  static ProblemException noncesUnavailable(String sessionId) {
    return new ProblemException(
        HttpStatus.CONFLICT,
        NONCES_UNAVAILABLE,
        "No unused nonces",
        "Session "
            + sessionId
            + " has no unused nonces here: used already, expired or never made. Start a new"
            + " round one.");
  }

  static ProblemException unknownKey(String keyId) {
    return new ProblemException(
        HttpStatus.NOT_FOUND, UNKNOWN_KEY, "Unknown key", "This node holds no share of " + keyId);
  }

  static ProblemException protocol(String detail, Map<String, Object> properties) {
    return new ProblemException(
        HttpStatus.UNPROCESSABLE_CONTENT, PROTOCOL, "Protocol error", detail, properties);
  }

  static ProblemException protocol(String detail) {
    return protocol(detail, Map.of());
  }
}
