package io.tpwallet.signing.coordinator;

import io.tpwallet.common.problem.ProblemException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Repairs of a lost share: {@code POST} rebuilds one participant's share with t helpers (the key,
 * its public key and every other share stay as they are), {@code GET} reads how a repair ended.
 */
@RestController
@Profile("!signer")
@RequestMapping("/v1/signing/keys/{keyId}/repairs")
class KeyRepairController {

  /** The participant (node id) that lost its share; the helpers, or null for any t reachable. */
  record RepairRequest(@Nullable Integer participant, @Nullable List<Integer> helpers) {}

  /** A repair as recorded: RUNNING, DONE or FAILED with why. */
  record RepairView(
      String repairId,
      String keyId,
      int participant,
      List<Integer> helpers,
      String state,
      @Nullable String detail,
      String publicKey,
      Instant startedAt,
      @Nullable Instant finishedAt) {}

  private final SigningKeys keys;
  private final SigningRepairs repairs;
  private final KeyRepair repair;

  KeyRepairController(SigningKeys keys, SigningRepairs repairs, KeyRepair repair) {
    this.keys = keys;
    this.repairs = repairs;
    this.repair = repair;
  }

  /**
   * Rebuild {@code participant}'s lost share from t helpers' shares; answered once the repaired
   * share made a verified test signature and is sealed at its node.
   */
  @PostMapping
  ResponseEntity<RepairView> repair(
      @PathVariable String keyId, @RequestBody RepairRequest request) {
    SigningKeys.SigningKey key = find(keyId);
    if (request.participant() == null) {
      throw CoordinatorProblems.invalid("participant (the node that lost its share) is required");
    }
    var done = repair.repair(key, request.participant(), request.helpers());
    return ResponseEntity.created(
            URI.create("/v1/signing/keys/" + keyId + "/repairs/" + done.repairId()))
        .body(view(done, key));
  }

  @GetMapping("/{repairId}")
  RepairView get(@PathVariable String keyId, @PathVariable String repairId) {
    SigningKeys.SigningKey key = find(keyId);
    return view(
        repairs
            .find(keyId, repairId)
            .orElseThrow(() -> ProblemException.notFound("No repair " + repairId + " of " + keyId)),
        key);
  }

  private SigningKeys.SigningKey find(String keyId) {
    return keys.find(keyId).orElseThrow(() -> ProblemException.notFound("No key " + keyId));
  }

  private static RepairView view(SigningRepairs.RepairRecord r, SigningKeys.SigningKey key) {
    return new RepairView(
        r.repairId(),
        r.keyId(),
        r.participant(),
        r.helpers(),
        r.state(),
        r.detail(),
        io.tpwallet.signing.wire.WireCodec.hex(key.groupKey()),
        r.startedAt(),
        r.finishedAt());
  }
}
