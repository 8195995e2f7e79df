package io.tpwallet.signing.coordinator;

import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** The coordinator's problem types (RFC 9457), stable for clients. */
final class CoordinatorProblems {

  static final URI SIGNERS_UNAVAILABLE = ProblemTypes.of("signers-unavailable");
  static final URI POLICY_REFUSED = ProblemTypes.of("signing-policy-refused");
  static final URI DKG_FAILED = ProblemTypes.of("dkg-failed");
  static final URI SIGNING_FAILED = ProblemTypes.of("signing-failed");

  private CoordinatorProblems() {}

  static ProblemException signersUnavailable(String detail, int needed, List<Integer> down) {
    return new ProblemException(
        HttpStatus.SERVICE_UNAVAILABLE,
        SIGNERS_UNAVAILABLE,
        "Not enough signer nodes",
        detail,
        Map.of("signersNeeded", needed, "nodesDown", down));
  }

  static ProblemException policyRefused(NodeClient.Refused refusal) {
    return new ProblemException(
        HttpStatus.FORBIDDEN,
        POLICY_REFUSED,
        "Refused by signing policy",
        "Signer node " + refusal.node + " refused: " + refusal.problem.getOrDefault("detail", ""),
        Map.of("node", refusal.node, "reason", refusal.reason == null ? "" : refusal.reason));
  }

  static ProblemException dkgFailed(String detail, Map<String, Object> properties) {
    return new ProblemException(
        HttpStatus.BAD_GATEWAY, DKG_FAILED, "Key generation failed", detail, properties);
  }

  static ProblemException signingFailed(String detail, Map<String, Object> properties) {
    return new ProblemException(
        HttpStatus.BAD_GATEWAY, SIGNING_FAILED, "Signing failed", detail, properties);
  }

  static ProblemException invalid(String detail) {
    return ProblemException.badRequest(ProblemTypes.VALIDATION, "Invalid request", detail);
  }
}
