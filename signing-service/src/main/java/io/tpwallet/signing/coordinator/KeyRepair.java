package io.tpwallet.signing.coordinator;

import io.tpwallet.common.id.Ids;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import io.tpwallet.signing.frost.Ciphersuite;
import io.tpwallet.signing.frost.Ciphersuites;
import io.tpwallet.signing.frost.FrostException;
import io.tpwallet.signing.wire.RepairWire;
import io.tpwallet.signing.wire.Wire;
import io.tpwallet.signing.wire.WireCodec;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Repair of one participant's lost share by t helpers, relayed by the coordinator without it ever
 * seeing a secret: each helper's pieces and sums travel sealed to their receiver. The lost node
 * checks the rebuilt share against its verifying share, a test signature with it and t-1 helpers
 * must verify under the key's public package, and only then the lost node seals it and the repair
 * is recorded as done. Anything failing on the way aborts at every node, where nothing was written.
 */
@Service
@Profile("!signer")
class KeyRepair {

  private static final Logger log = LoggerFactory.getLogger(KeyRepair.class);
  static final URI REPAIR_FAILED = ProblemTypes.of("repair-failed");
  static final URI REPAIR_NOT_NEEDED = ProblemTypes.of("repair-not-needed");
  static final URI REPAIR_IN_PROGRESS = ProblemTypes.of("repair-in-progress");

  private final SigningCoordinator coordinator;
  private final SigningKeys keys;
  private final SigningRepairs repairs;
  private final Clock clock;
  // One repair per key at a time: each node keeps one repair session per key.
  private final Set<String> running = ConcurrentHashMap.newKeySet();

  KeyRepair(SigningCoordinator coordinator, SigningKeys keys, SigningRepairs repairs, Clock clock) {
    this.coordinator = coordinator;
    this.keys = keys;
    this.repairs = repairs;
    this.clock = clock;
  }

  /**
   * Repairs {@code participant}'s share with {@code requested} helpers (or any t reachable holders
   * when null). Input is checked before any node is asked; the record is written only once the lost
   * node and t helpers agreed to take part.
   */
  SigningRepairs.RepairRecord repair(
      SigningKeys.SigningKey key, int participant, @Nullable List<Integer> requested) {
    List<Integer> holders = new ArrayList<>(key.participants());
    if (!holders.contains(participant)) {
      throw CoordinatorProblems.invalid(
          "participant " + participant + " holds no share of this key; its nodes: " + holders);
    }
    holders.remove(Integer.valueOf(participant));
    if (requested != null) {
      if (requested.stream().distinct().count() != requested.size()) {
        throw CoordinatorProblems.invalid("helpers must be distinct: " + requested);
      }
      if (requested.contains(participant)) {
        throw CoordinatorProblems.invalid(
            "participant " + participant + " cannot help repair its own share");
      }
      if (!holders.containsAll(requested)) {
        throw CoordinatorProblems.invalid(
            "helpers must hold a share of the key; its other nodes: " + holders);
      }
      if (requested.size() < key.minSigners()) {
        throw CoordinatorProblems.invalid(
            "a repair needs at least " + key.minSigners() + " helpers (the threshold)");
      }
    }
    if (!running.add(key.keyId())) {
      throw new ProblemException(
          HttpStatus.CONFLICT,
          REPAIR_IN_PROGRESS,
          "Repair in progress",
          "A repair of key " + key.keyId() + " is running; wait for it to end.");
    }
    try {
      return run(key, participant, requested == null ? holders : requested, requested == null);
    } finally {
      running.remove(key.keyId());
    }
  }

  private SigningRepairs.RepairRecord run(
      SigningKeys.SigningKey key, int participant, List<Integer> candidates, boolean anyT) {
    String keyId = key.keyId();
    String repairId = Ids.newId().toString();
    var begin = new RepairWire.Begin(keyId, repairId, participant, key.refreshId());
    // Each node's transport key with the node's identity signature over it, relayed as given: the
    // nodes check the signatures against their own pinned rosters, so nothing here is trusted.
    Map<Integer, RepairWire.Begun> dh = new TreeMap<>();
    // The lost node first: if it still holds its share there is nothing to repair and no helper
    // is bothered.
    try {
      dh.put(
          participant,
          coordinator.node(participant).repair("begin", begin, RepairWire.Begun.class));
    } catch (NodeClient.Unavailable e) {
      throw CoordinatorProblems.signersUnavailable(
          "Participant " + participant + " is unreachable; nothing was repaired.",
          key.minSigners(),
          List.of(participant));
    } catch (NodeClient.Refused e) {
      if (e.status == 409 && e.type.endsWith("/signing-share-held")) {
        throw new ProblemException(
            HttpStatus.CONFLICT,
            REPAIR_NOT_NEEDED,
            "Share not lost",
            "Participant "
                + participant
                + " still holds a share that opens and matches its verifying share; nothing was"
                + " changed. Use a refresh to replace shares that are not lost.");
      }
      throw failed(
          "Participant " + participant + " refused to start the repair: " + e.getMessage(),
          nodeProblem(e));
    }
    List<Integer> helpers = new ArrayList<>();
    List<Integer> down = new ArrayList<>();
    List<Integer> extra = new ArrayList<>();
    var begun =
        coordinator.onEach(
            candidates, p -> coordinator.node(p).repair("begin", begin, RepairWire.Begun.class));
    for (var e : begun.entrySet()) {
      RuntimeException failure = e.getValue().failure();
      RepairWire.Begun answer = e.getValue().value();
      if (failure instanceof NodeClient.Refused r && !anyT) {
        abort(keyId, repairId, participant, begun.keySet());
        throw failed("Helper " + r.node + " refused to help: " + r.getMessage(), nodeProblem(r));
      }
      if (answer == null) {
        log.warn("Node {} cannot help repair {}: {}", e.getKey(), repairId, failure);
        down.add(e.getKey());
      } else if (anyT && helpers.size() >= key.minSigners()) {
        extra.add(e.getKey());
      } else {
        helpers.add(e.getKey());
        dh.put(e.getKey(), answer);
      }
    }
    abort(keyId, repairId, -1, extra);
    if (helpers.size() < key.minSigners() || (!anyT && !down.isEmpty())) {
      abort(keyId, repairId, participant, helpers);
      throw CoordinatorProblems.signersUnavailable(
          "A repair needs "
              + key.minSigners()
              + " helpers holding their share; reachable: "
              + helpers
              + ", down or unable: "
              + down
              + ". Nothing was repaired.",
          key.minSigners(),
          down);
    }
    repairs.started(repairId, keyId, participant, helpers, clock.instant());
    try {
      steps(key, repairId, participant, helpers, dh);
      testSignature(key, repairId, participant, helpers);
      coordinator
          .node(participant)
          .repair("commit", new RepairWire.End(keyId, repairId), RepairWire.Ended.class);
    } catch (RuntimeException e) {
      abort(keyId, repairId, participant, helpers);
      String detail = Objects.toString(e.getMessage(), e.getClass().getSimpleName());
      repairs.finished(repairId, "FAILED", detail, clock.instant());
      keys.recordRequest(
          new SigningKeys.RequestRow(
              clock.instant(), keyId, repairId, "REPAIR_FAILED", helpers.toString(), null, detail));
      log.warn("Repair {} of key {} participant {} failed", repairId, keyId, participant, e);
      if (e instanceof NodeClient.Unavailable u) {
        throw new ProblemException(
            HttpStatus.SERVICE_UNAVAILABLE,
            CoordinatorProblems.SIGNERS_UNAVAILABLE,
            "Not enough signer nodes",
            "Node "
                + u.node
                + " dropped out of repair "
                + repairId
                + "; nothing was stored at participant "
                + participant
                + ". Retry the repair.",
            Map.of(
                "signersNeeded",
                key.minSigners(),
                "nodesDown",
                List.of(u.node),
                "repairId",
                repairId));
      }
      if (e instanceof NodeClient.Refused r) {
        Map<String, Object> props = nodeProblem(r);
        props.put("repairId", repairId);
        throw failed("Node " + r.node + " refused a repair step: " + r.getMessage(), props);
      }
      throw e;
    }
    repairs.finished(repairId, "DONE", null, clock.instant());
    keys.recordRequest(
        new SigningKeys.RequestRow(
            clock.instant(), keyId, repairId, "REPAIRED", helpers.toString(), null, null));
    log.info("Key {}: participant {} repaired by {} ({})", keyId, participant, helpers, repairId);
    return repairs.find(keyId, repairId).orElseThrow();
  }

  /**
   * Steps 1 and 2 at every helper, step 3 at the lost node; every secret sealed to its receiver.
   */
  private void steps(
      SigningKeys.SigningKey key,
      String repairId,
      int participant,
      List<Integer> helpers,
      Map<Integer, RepairWire.Begun> begun) {
    String keyId = key.keyId();
    Map<Integer, String> dh = new TreeMap<>();
    Map<Integer, String> dhSignatures = new TreeMap<>();
    begun.forEach(
        (p, b) -> {
          dh.put(p, b.dhPublic());
          dhSignatures.put(p, Objects.toString(b.dhSignature(), ""));
        });
    Map<Integer, RepairWire.Step1Response> step1 =
        all(
            coordinator.onEach(
                helpers,
                p ->
                    coordinator
                        .node(p)
                        .repair(
                            "step1",
                            new RepairWire.Step1Request(keyId, repairId, helpers, dh, dhSignatures),
                            RepairWire.Step1Response.class)));
    Map<Integer, RepairWire.Step2Response> step2 =
        all(
            coordinator.onEach(
                helpers,
                p -> {
                  Map<Integer, String> toP =
                      Relay.sealedTo(p, step1, RepairWire.Step1Response::pieces);
                  return coordinator
                      .node(p)
                      .repair(
                          "step2",
                          new RepairWire.Step2Request(keyId, repairId, toP),
                          RepairWire.Step2Response.class);
                }));
    Map<Integer, String> sums = new TreeMap<>();
    Map<Integer, String> helperDh = new TreeMap<>();
    Map<Integer, String> helperSignatures = new TreeMap<>();
    step2.forEach(
        (p, r) -> {
          sums.put(p, r.sum());
          helperDh.put(p, dh.get(p));
          helperSignatures.put(p, dhSignatures.get(p));
        });
    RepairWire.Step3Response repaired =
        coordinator
            .node(participant)
            .repair(
                "step3",
                new RepairWire.Step3Request(keyId, repairId, helperDh, helperSignatures, sums),
                RepairWire.Step3Response.class);
    if (!Objects.equals(
        repaired.verifyingShare(),
        WireCodec.hex(Objects.requireNonNull(key.verifyingShares().get(participant))))) {
      throw failed(
          "Participant " + participant + " checked its share against another verifying share.",
          Map.of("repairId", repairId));
    }
  }

  /**
   * The repaired node and t-1 helpers sign the repair's own test message; the signature must verify
   * under the key's public package, which proves the repaired share signs.
   */
  private void testSignature(
      SigningKeys.SigningKey key, String repairId, int participant, List<Integer> helpers) {
    String keyId = key.keyId();
    Ciphersuite suite = Ciphersuites.byId(key.suite());
    List<Integer> signers = new ArrayList<>(helpers.subList(0, key.minSigners() - 1));
    signers.add(participant);
    var commit = new RepairWire.TestCommit(keyId, repairId);
    Map<Integer, Wire.CommitResponse> commits =
        all(
            coordinator.onEach(
                signers,
                p -> coordinator.node(p).repair("test/round1", commit, Wire.CommitResponse.class)));
    List<Wire.Commitment> commitments =
        commits.values().stream().map(Wire.CommitResponse::commitment).toList();
    Map<Integer, Wire.SignResponse> signed =
        all(
            coordinator.onEach(
                signers,
                p ->
                    coordinator
                        .node(p)
                        .repair(
                            "test/round2",
                            new RepairWire.TestSign(
                                keyId, repairId, commits.get(p).sessionId(), commitments),
                            Wire.SignResponse.class)));
    try {
      Relay.verifyTestSignature(
          suite,
          commitments,
          signed,
          RepairWire.testMessage(keyId, repairId),
          SigningCoordinator.decodePublicKeyPackage(suite, key));
    } catch (FrostException e) {
      throw failed(
          "The test signature with the repaired share failed: " + e.getMessage(),
          Map.of(
              "reason",
              e.reason().name(),
              "culprits",
              e.culprits().stream().map(i -> i.value().intValueExact()).toList(),
              "repairId",
              repairId));
    }
  }

  /** Every node's answer; the first failure (down or refusing) ends the repair. */
  private static <T> Map<Integer, T> all(Map<Integer, SigningCoordinator.Outcome<T>> outcomes) {
    Map<Integer, T> values = new TreeMap<>();
    for (var e : outcomes.entrySet()) {
      RuntimeException failure = e.getValue().failure();
      if (failure != null) {
        throw failure;
      }
      values.put(e.getKey(), Objects.requireNonNull(e.getValue().value()));
    }
    return values;
  }

  /** Tells each node to forget the repair (in memory only there); a node down forgets by expiry. */
  private void abort(String keyId, String repairId, int participant, Iterable<Integer> others) {
    List<Integer> nodes = new ArrayList<>();
    others.forEach(nodes::add);
    if (participant > 0) {
      nodes.add(participant);
    }
    coordinator.onEach(
        nodes,
        p ->
            coordinator
                .node(p)
                .repair("abort", new RepairWire.End(keyId, repairId), RepairWire.Ended.class));
  }

  private static Map<String, Object> nodeProblem(NodeClient.Refused r) {
    Map<String, Object> props = new HashMap<>();
    props.put("node", r.node);
    props.put("nodeProblem", r.problem);
    Object culprits = r.problem.get("culprits");
    if (culprits != null) {
      props.put("culprits", culprits);
    }
    return props;
  }

  private static ProblemException failed(String detail, Map<String, Object> properties) {
    return new ProblemException(
        HttpStatus.BAD_GATEWAY,
        REPAIR_FAILED,
        "Share repair failed",
        detail + " Nothing was stored at the participant being repaired.",
        properties);
  }
}
