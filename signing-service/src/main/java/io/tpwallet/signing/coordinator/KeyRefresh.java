package io.tpwallet.signing.coordinator;

import io.tpwallet.common.id.Ids;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.signing.frost.Ciphersuite;
import io.tpwallet.signing.frost.Ciphersuites;
import io.tpwallet.signing.frost.FrostException;
import io.tpwallet.signing.wire.Wire;
import io.tpwallet.signing.wire.WireCodec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Proactive share refresh of a key across all its nodes: new shares of the same public key, made
 * like a DKG; a test signature with <em>every</em> node's new share (so each one is proved); only
 * then the coordinator switches to the new generation and tells each node to destroy its old share.
 * Anything failing before the switch aborts the refresh at every node, and the old shares stay the
 * ones that sign. A node that misses the final commit (it went down just then) keeps its old share
 * until its next round one, where it activates the tested new one itself.
 */
@Service
@Profile("!signer")
class KeyRefresh {

  private static final Logger log = LoggerFactory.getLogger(KeyRefresh.class);
  static final java.net.URI REFRESH_FAILED =
      io.tpwallet.common.problem.ProblemTypes.of("refresh-failed");

  /** A finished refresh: the nodes that destroyed their old share, and those still to. */
  record Refreshed(
      String keyId,
      String refreshId,
      byte[] groupKey,
      List<Integer> committed,
      List<Integer> commitPending) {}

  private final SigningCoordinator coordinator;
  private final SigningKeys keys;
  private final Clock clock;

  KeyRefresh(SigningCoordinator coordinator, SigningKeys keys, Clock clock) {
    this.coordinator = coordinator;
    this.keys = keys;
    this.clock = clock;
  }

  Refreshed refresh(SigningKeys.SigningKey key) {
    String keyId = key.keyId();
    String refreshId = Ids.newId().toString();
    List<Integer> participants = key.participants();
    SortedMap<Integer, byte[]> fresh;
    try {
      fresh = newShares(key, refreshId, participants);
      testSignature(key, refreshId, participants, fresh);
      keys.refreshed(keyId, refreshId, fresh, clock.instant());
      coordinator.forget(keyId);
    } catch (RuntimeException e) {
      coordinator.onEach(
          participants,
          p -> coordinator.node(p).refreshAbort(new Wire.RefreshEndRequest(keyId, refreshId)));
      keys.recordRequest(
          new SigningKeys.RequestRow(
              clock.instant(),
              keyId,
              refreshId,
              "REFRESH_FAILED",
              null,
              null,
              Objects.toString(e.getMessage(), e.getClass().getSimpleName())));
      log.warn("Refresh {} of key {} failed; the old shares stay active", refreshId, keyId, e);
      throw e;
    }
    List<Integer> committed = new ArrayList<>();
    List<Integer> pending = new ArrayList<>();
    coordinator
        .onEach(
            participants,
            p -> coordinator.node(p).refreshCommit(new Wire.RefreshEndRequest(keyId, refreshId)))
        .forEach(
            (p, outcome) -> {
              if (outcome.value() != null && refreshId.equals(outcome.value().activeRefreshId())) {
                committed.add(p);
              } else {
                pending.add(p);
              }
            });
    keys.recordRequest(
        new SigningKeys.RequestRow(
            clock.instant(),
            keyId,
            refreshId,
            "REFRESHED",
            participants.toString(),
            null,
            pending.isEmpty() ? null : "commit pending at " + pending));
    log.info("Key {} refreshed ({}); old shares destroyed at {}", keyId, refreshId, committed);
    return new Refreshed(keyId, refreshId, key.groupKey(), committed, pending);
  }

  /** The three DKG-like steps at every node; the new verifying shares, all of the same key. */
  private SortedMap<Integer, byte[]> newShares(
      SigningKeys.SigningKey key, String refreshId, List<Integer> participants) {
    String keyId = key.keyId();
    Map<Integer, Wire.RefreshRound1> round1 =
        all(
            coordinator.onEach(
                participants,
                p ->
                    coordinator
                        .node(p)
                        .refreshRound1(
                            new Wire.RefreshRound1Request(keyId, refreshId, participants))));
    Map<Integer, Wire.DkgRound2Response> round2 =
        all(
            coordinator.onEach(
                participants,
                p -> {
                  Map<Integer, Wire.RefreshRound1> others = new TreeMap<>(round1);
                  others.remove(p);
                  return coordinator
                      .node(p)
                      .refreshRound2(new Wire.RefreshRound2Request(keyId, refreshId, others));
                }));
    Map<Integer, String> echoes = new TreeMap<>();
    round2.forEach((p, r) -> echoes.put(p, r.echo()));
    if (echoes.values().stream().distinct().count() != 1) {
      throw failed("The nodes saw different refresh broadcasts (echo mismatch).", Map.of());
    }
    Map<Integer, String> verifying = new TreeMap<>();
    key.verifyingShares().forEach((p, v) -> verifying.put(p, WireCodec.hex(v)));
    Map<Integer, Wire.DkgFinishResponse> finished =
        all(
            coordinator.onEach(
                participants,
                p -> {
                  Map<Integer, String> toP =
                      Relay.sealedTo(p, round2, Wire.DkgRound2Response::sealedShares);
                  return coordinator
                      .node(p)
                      .refreshFinish(
                          new Wire.RefreshFinishRequest(keyId, refreshId, toP, echoes, verifying));
                }));
    SortedMap<Integer, byte[]> fresh = new TreeMap<>();
    String groupKey = WireCodec.hex(key.groupKey());
    for (var e : finished.entrySet()) {
      if (!e.getValue().groupKey().equals(groupKey)) {
        throw failed("Node " + e.getKey() + " derived another group key.", Map.of());
      }
      fresh.put(e.getKey(), WireCodec.unhex(e.getValue().verifyingShare()));
    }
    return fresh;
  }

  /** Every node signs the refresh's test message with its pending share; the result must verify. */
  private void testSignature(
      SigningKeys.SigningKey key,
      String refreshId,
      List<Integer> participants,
      SortedMap<Integer, byte[]> fresh) {
    String keyId = key.keyId();
    Ciphersuite suite = Ciphersuites.byId(key.suite());
    byte[] message = Wire.refreshTestMessage(keyId, refreshId);
    Map<Integer, Wire.CommitResponse> commits =
        all(
            coordinator.onEach(
                participants,
                p -> coordinator.node(p).commit(new Wire.CommitRequest(keyId, refreshId, true))));
    List<Wire.Commitment> commitments =
        commits.values().stream().map(Wire.CommitResponse::commitment).toList();
    Map<Integer, Wire.SignResponse> signed =
        all(
            coordinator.onEach(
                participants,
                p ->
                    coordinator
                        .node(p)
                        .sign(
                            new Wire.SignRequest(
                                keyId,
                                commits.get(p).sessionId(),
                                WireCodec.hex(message),
                                commitments,
                                null,
                                refreshId,
                                true))));
    var refreshedKey =
        new SigningKeys.SigningKey(
            keyId,
            key.suite(),
            key.minSigners(),
            key.groupKey(),
            fresh,
            key.policy(),
            key.createdAt(),
            refreshId);
    try {
      Relay.verifyTestSignature(
          suite,
          commitments,
          signed,
          message,
          SigningCoordinator.decodePublicKeyPackage(suite, refreshedKey));
    } catch (FrostException e) {
      throw failed(
          "The test signature with the new shares failed: " + e.getMessage(),
          Map.of(
              "reason", e.reason().name(),
              "culprits", e.culprits().stream().map(i -> i.value().intValueExact()).toList()));
    }
  }

  /** Every node's answer, or the problem that ends the refresh (a node down or refusing). */
  private static <T> Map<Integer, T> all(Map<Integer, SigningCoordinator.Outcome<T>> outcomes) {
    Map<Integer, T> values = new TreeMap<>();
    List<Integer> down = new ArrayList<>();
    for (var e : outcomes.entrySet()) {
      RuntimeException failure = e.getValue().failure();
      if (failure instanceof NodeClient.Refused r) {
        Map<String, Object> props = new HashMap<>();
        props.put("node", r.node);
        props.put("nodeProblem", r.problem);
        throw failed("Signer node " + r.node + " refused the refresh: " + r.getMessage(), props);
      }
      if (failure != null || e.getValue().value() == null) {
        down.add(e.getKey());
      } else {
        values.put(e.getKey(), e.getValue().value());
      }
    }
    if (!down.isEmpty()) {
      throw CoordinatorProblems.signersUnavailable(
          "A refresh needs every node of the key; down: "
              + down
              + ". The refresh was abandoned; the old shares stay active.",
          outcomes.size(),
          down);
    }
    return values;
  }

  private static ProblemException failed(String detail, Map<String, Object> properties) {
    return new ProblemException(
        HttpStatus.BAD_GATEWAY,
        REFRESH_FAILED,
        "Share refresh failed",
        detail + " The old shares stay active.",
        properties);
  }
}
