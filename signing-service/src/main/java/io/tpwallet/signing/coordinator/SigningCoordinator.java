package io.tpwallet.signing.coordinator;

import io.tpwallet.common.id.Ids;
import io.tpwallet.common.thread.DaemonThreads;
import io.tpwallet.signing.frost.Ciphersuite;
import io.tpwallet.signing.frost.Ciphersuites;
import io.tpwallet.signing.frost.Element;
import io.tpwallet.signing.frost.Frost;
import io.tpwallet.signing.frost.FrostException;
import io.tpwallet.signing.frost.Group;
import io.tpwallet.signing.frost.Identifier;
import io.tpwallet.signing.frost.PublicKeyPackage;
import io.tpwallet.signing.frost.Signature;
import io.tpwallet.signing.frost.SignatureShare;
import io.tpwallet.signing.frost.SigningCommitments;
import io.tpwallet.signing.frost.SigningPackage;
import io.tpwallet.signing.wire.Wire;
import io.tpwallet.signing.wire.WireCodec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs DKG among chosen nodes and collects t signature shares for a signature. With a node down it
 * signs with another subset; below t reachable nodes it stops before any node is asked for a share.
 * A retry always starts from round one: nonces are never asked for twice.
 */
@Service
@Profile("!signer")
class SigningCoordinator {

  private static final Logger log = LoggerFactory.getLogger(SigningCoordinator.class);
  static final int SIGN_ATTEMPTS_MAX = 3;
  static final int MESSAGE_BYTES_MAX = 64 * 1024;
  static final int ROUND_THREADS = 64;
  static final int PUBLIC_KEYS_CACHED_MAX = 10_000;

  /** A finished signature and who made it. */
  record Signed(byte[] signature, List<Integer> signers) {}

  private final Map<Integer, NodeClient> nodes = new TreeMap<>();
  private final SigningKeys keys;
  private final Clock clock;
  private final CoordinatorProperties.SignerOrder signerOrder;
  private final AtomicInteger rotation = new AtomicInteger();
  private final Map<String, PublicKeyPackage> publicKeys = new ConcurrentHashMap<>();
  private final BatchSigning batches;
  // Both rounds call the t nodes at once; bounded like the nodes' own request threads.
  private final ExecutorService rounds =
      Executors.newFixedThreadPool(ROUND_THREADS, DaemonThreads.named("signing-rounds"));

  SigningCoordinator(
      CoordinatorProperties properties, SigningKeys keys, Clock clock, JsonMapper json) {
    for (CoordinatorProperties.Node node : properties.nodes()) {
      if (nodes.put(node.id(), new NodeClient(node, properties, json)) != null) {
        throw new IllegalStateException("signer node id " + node.id() + " configured twice");
      }
    }
    this.keys = keys;
    this.clock = clock;
    this.signerOrder = properties.signerOrder();
    this.batches = new BatchSigning(this, properties.batch(), clock);
    log.info("Coordinator knows signer nodes {}", nodes.keySet());
  }

  Set<Integer> knownNodes() {
    return nodes.keySet();
  }

  // ---- DKG ----------------------------------------------------------------------------------

  SigningKeys.SigningKey createKey(
      Ciphersuite suite, int threshold, List<Integer> participants, Wire.Policy policy) {
    for (int p : participants) {
      if (!nodes.containsKey(p)) {
        throw CoordinatorProblems.invalid(
            "unknown signer node " + p + "; known: " + nodes.keySet());
      }
    }
    String keyId = Ids.newId().toString();
    Map<Integer, Wire.Round1> round1 = new TreeMap<>();
    List<Integer> down = new ArrayList<>();
    // Round one at every node first: DKG needs all n, so a node down stops it before any node has
    // made more than in-memory state that expires.
    for (int p : participants) {
      try {
        round1.put(
            p,
            nodes
                .get(p)
                .dkgRound1(
                    new Wire.DkgRound1Request(
                        keyId, suite.id(), p, participants, threshold, policy)));
      } catch (NodeClient.Unavailable e) {
        down.add(p);
      } catch (NodeClient.Refused e) {
        throw dkgRefused(e);
      }
    }
    if (!down.isEmpty()) {
      throw CoordinatorProblems.signersUnavailable(
          "Key generation needs every chosen node; down: " + down + ". No key was made.",
          participants.size(),
          down);
    }
    Map<Integer, Wire.DkgRound2Response> round2 = new TreeMap<>();
    for (int p : participants) {
      Map<Integer, Wire.Round1> others = new TreeMap<>(round1);
      others.remove(p);
      round2.put(p, call(p, c -> c.dkgRound2(new Wire.DkgRound2Request(keyId, others))));
    }
    Map<Integer, String> echoes = new TreeMap<>();
    round2.forEach((p, r) -> echoes.put(p, r.echo()));
    if (echoes.values().stream().distinct().count() != 1) {
      // Each node checks the echoes itself in the last step; stopping here saves the round trip.
      throw CoordinatorProblems.dkgFailed(
          "The nodes saw different round-one broadcasts (echo mismatch); no key was made.",
          Map.of("echoes", echoes));
    }
    Map<Integer, Wire.DkgFinishResponse> finished = new TreeMap<>();
    for (int p : participants) {
      Map<Integer, String> toP = new TreeMap<>();
      round2.forEach(
          (from, r) -> {
            if (from != p) {
              toP.put(from, r.sealedShares().get(p));
            }
          });
      finished.put(p, call(p, c -> c.dkgFinish(new Wire.DkgFinishRequest(keyId, toP, echoes))));
    }
    Set<String> groupKeys =
        finished.values().stream()
            .map(Wire.DkgFinishResponse::groupKey)
            .collect(Collectors.toSet());
    if (groupKeys.size() != 1) {
      throw CoordinatorProblems.dkgFailed(
          "The nodes derived different group keys; the key is not recorded.", Map.of());
    }
    SortedMap<Integer, byte[]> verifyingShares = new TreeMap<>();
    finished.forEach((p, f) -> verifyingShares.put(p, WireCodec.unhex(f.verifyingShare())));
    var key =
        new SigningKeys.SigningKey(
            keyId,
            suite.id(),
            threshold,
            WireCodec.unhex(groupKeys.iterator().next()),
            verifyingShares,
            policy,
            clock.instant(),
            null);
    keys.insert(key);
    log.info(
        "Key {} ({}, {}-of-{}) made by DKG", keyId, suite.id(), threshold, participants.size());
    return key;
  }

  private <T> T call(int node, Function<NodeClient, T> f) {
    try {
      return f.apply(nodes.get(node));
    } catch (NodeClient.Unavailable e) {
      throw CoordinatorProblems.signersUnavailable(
          "Signer node " + node + " dropped out of key generation; no key was recorded.",
          0,
          List.of(node));
    } catch (NodeClient.Refused e) {
      throw dkgRefused(e);
    }
  }

  private static RuntimeException dkgRefused(NodeClient.Refused e) {
    Map<String, Object> props = new HashMap<>();
    props.put("node", e.node);
    props.put("nodeProblem", e.problem);
    return CoordinatorProblems.dkgFailed(
        "Signer node " + e.node + " refused key generation: " + e.getMessage(), props);
  }

  // ---- signing ------------------------------------------------------------------------------

  /**
   * Signs, batched with the key's other concurrent requests when batching is on and the caller has
   * no transaction of its own (a sign command's request log belongs to its inbox transaction, so it
   * is signed on its own thread).
   */
  Signed sign(SigningKeys.SigningKey key, byte[] message, Wire.PolicyContext context) {
    if (message.length == 0 || message.length > MESSAGE_BYTES_MAX) {
      throw CoordinatorProblems.invalid("message must have 1.." + MESSAGE_BYTES_MAX + " bytes");
    }
    if (batches.enabled() && !TransactionSynchronizationManager.isActualTransactionActive()) {
      return batches.sign(key, message, context);
    }
    return signAlone(key, message, context);
  }

  /** One signature in its own two rounds, starting again from round one if a node is lost. */
  Signed signAlone(SigningKeys.SigningKey key, byte[] message, Wire.PolicyContext context) {
    Ciphersuite suite = Ciphersuites.byId(key.suite());
    Group group = suite.group();
    Set<Integer> down = new LinkedHashSet<>();
    for (int attempt = 0; attempt < SIGN_ATTEMPTS_MAX; attempt++) {
      // Round one: commitments from t reachable participants, asked at once; a node that fails is
      // replaced by the next candidate.
      Map<Integer, Wire.CommitResponse> commits = new TreeMap<>();
      List<Integer> candidates = new ArrayList<>();
      for (int p : preferred(key.participants())) {
        if (!down.contains(p) && nodes.containsKey(p)) {
          candidates.add(p);
        }
      }
      int next = 0;
      while (commits.size() < key.minSigners() && next < candidates.size()) {
        int wanted = Math.min(key.minSigners() - commits.size(), candidates.size() - next);
        List<Integer> asked = candidates.subList(next, next + wanted);
        next += wanted;
        Map<Integer, Outcome<Wire.CommitResponse>> answers =
            onEach(
                asked,
                p ->
                    nodes
                        .get(p)
                        .commit(new Wire.CommitRequest(key.keyId(), key.refreshId(), false)));
        answers.forEach(
            (p, answer) -> {
              if (answer.value() != null) {
                commits.put(p, answer.value());
              } else {
                log.warn(
                    "Signer node {} not usable for key {}: {}",
                    p,
                    key.keyId(),
                    answer.failure().getMessage());
                down.add(p);
              }
            });
      }
      if (commits.size() < key.minSigners()) {
        keys.recordRequest(
            new SigningKeys.RequestRow(
                clock.instant(),
                key.keyId(),
                context.requestId(),
                "UNAVAILABLE",
                null,
                null,
                "down: " + down));
        throw CoordinatorProblems.signersUnavailable(
            "Key "
                + key.keyId()
                + " needs "
                + key.minSigners()
                + " signer nodes; reachable: "
                + commits.keySet()
                + ", down: "
                + down
                + ". No signature share was requested.",
            key.minSigners(),
            List.copyOf(down));
      }
      List<Wire.Commitment> commitments =
          commits.values().stream().map(Wire.CommitResponse::commitment).toList();
      String messageHex = WireCodec.hex(message);
      // Round two at the t nodes at once.
      Map<Integer, Outcome<Wire.SignResponse>> answers =
          onEach(
              List.copyOf(commits.keySet()),
              p ->
                  nodes
                      .get(p)
                      .sign(
                          new Wire.SignRequest(
                              key.keyId(),
                              commits.get(p).sessionId(),
                              messageHex,
                              commitments,
                              context,
                              key.refreshId(),
                              false)));
      Map<Identifier, SignatureShare> shares = new TreeMap<>();
      boolean lostOne = false;
      for (var e : answers.entrySet()) {
        int p = e.getKey();
        RuntimeException failure = e.getValue().failure();
        if (failure instanceof NodeClient.Refused r && !NodeClientTypes.isStartAgain(r)) {
          throw refusedInRoundTwo(key, context, r);
        }
        if (failure != null) {
          // A node that dies between the rounds loses its nonces with its memory (and one whose
          // shares were just refreshed no longer has the session); start again from round one
          // with the others (never re-ask anyone for the same nonces). Shares the others released
          // for this package are useless without the lost one.
          log.warn(
              "Signer node {} lost during round two of key {}: {}",
              p,
              key.keyId(),
              failure.getMessage());
          down.add(p);
          lostOne = true;
          continue;
        }
        Identifier id = Identifier.of(p);
        shares.put(
            id,
            SignatureShare.deserialize(
                group,
                id,
                WireCodec.unhex(java.util.Objects.requireNonNull(e.getValue().value()).share())));
      }
      if (lostOne) {
        continue;
      }
      return aggregate(key, message, context, commitments, shares);
    }
    throw CoordinatorProblems.signersUnavailable(
        "Signer nodes kept dropping out; gave up after " + SIGN_ATTEMPTS_MAX + " attempts.",
        key.minSigners(),
        List.copyOf(down));
  }

  /** Runs {@code work} with the request log rows it records committed together. */
  void requestLog(Runnable work) {
    keys.inOneRequestLogCommit(work);
  }

  /** Records a refusal of round two and gives the problem the client gets. */
  RuntimeException refusedInRoundTwo(
      SigningKeys.SigningKey key, Wire.PolicyContext context, NodeClient.Refused r) {
    keys.recordRequest(
        new SigningKeys.RequestRow(
            clock.instant(),
            key.keyId(),
            context.requestId(),
            "REFUSED",
            null,
            null,
            "node " + r.node + ": " + r.getMessage()));
    if (NodeClientTypes.isPolicyRefusal(r)) {
      return CoordinatorProblems.policyRefused(r);
    }
    return CoordinatorProblems.signingFailed(
        "Signer node " + r.node + " refused round two: " + r.getMessage(),
        Map.of("node", r.node, "nodeProblem", r.problem));
  }

  /**
   * Aggregates t shares, verifying each (naming a cheating node) and the signature, and records the
   * request.
   */
  Signed aggregate(
      SigningKeys.SigningKey key,
      byte[] message,
      Wire.PolicyContext context,
      List<Wire.Commitment> commitments,
      Map<Identifier, SignatureShare> shares) {
    Signed signed = combine(key, message, commitments, shares);
    recordSigned(key, context, signed);
    return signed;
  }

  /**
   * The aggregation and its checks alone, without the request log: pure computation, so that the
   * items of a batch can be combined on several threads.
   */
  Signed combine(
      SigningKeys.SigningKey key,
      byte[] message,
      List<Wire.Commitment> commitments,
      Map<Identifier, SignatureShare> shares) {
    Ciphersuite suite = Ciphersuites.byId(key.suite());
    List<SigningCommitments> decoded =
        commitments.stream().map(c -> WireCodec.commitment(suite, c)).toList();
    SigningPackage pkg = SigningPackage.sorted(decoded, message);
    try {
      Signature signature = new Frost(suite).aggregate(pkg, shares, publicKeyPackage(suite, key));
      byte[] wire = suite.serializeSignature(signature);
      List<Integer> signers =
          commitments.stream().map(Wire.Commitment::participant).sorted().toList();
      return new Signed(wire, signers);
    } catch (FrostException e) {
      throw CoordinatorProblems.signingFailed(
          "Aggregation failed: " + e.getMessage(),
          Map.of(
              "reason", e.reason().name(),
              "culprits", e.culprits().stream().map(i -> i.value().intValueExact()).toList()));
    }
  }

  /** The request log row of a signature made. */
  void recordSigned(SigningKeys.SigningKey key, Wire.PolicyContext context, Signed signed) {
    keys.recordRequest(signedRow(key, context, signed));
  }

  /** The request log row of a signature made, to be recorded with its batch's. */
  SigningKeys.RequestRow signedRow(
      SigningKeys.SigningKey key, Wire.PolicyContext context, Signed signed) {
    return new SigningKeys.RequestRow(
        clock.instant(),
        key.keyId(),
        context.requestId(),
        "SIGNED",
        signed.signers().toString(),
        signed.signature(),
        null);
  }

  /** Records the rows of a batch's signatures in the batch's request log transaction. */
  void recordAllSigned(List<SigningKeys.RequestRow> rows) {
    keys.recordRequests(rows);
  }

  /**
   * A node's answer, or why there is none ({@link NodeClient.Unavailable} or {@link
   * NodeClient.Refused}).
   */
  record Outcome<T>(@Nullable T value, @Nullable RuntimeException failure) {}

  /**
   * Calls every node at once and waits for all of them, so that no request is left running when the
   * coordinator decides; a node's Unavailable or Refused becomes its outcome, anything else (a bug)
   * is thrown.
   */
  <T> Map<Integer, Outcome<T>> onEach(List<Integer> participants, Function<Integer, T> call) {
    Map<Integer, CompletableFuture<T>> calls = new TreeMap<>();
    for (int p : participants) {
      calls.put(p, CompletableFuture.supplyAsync(() -> call.apply(p), rounds));
    }
    Map<Integer, Outcome<T>> outcomes = new TreeMap<>();
    calls.forEach(
        (p, f) -> {
          try {
            outcomes.put(p, new Outcome<>(f.join(), null));
          } catch (CompletionException e) {
            if (e.getCause() instanceof NodeClient.Unavailable
                || e.getCause() instanceof NodeClient.Refused) {
              outcomes.put(p, new Outcome<>(null, (RuntimeException) e.getCause()));
            } else if (e.getCause() instanceof RuntimeException r) {
              throw r;
            } else {
              throw e;
            }
          }
        });
    return outcomes;
  }

  /** The key's participants in the order they are asked: rotated per request, or ascending. */
  List<Integer> preferred(List<Integer> participants) {
    if (signerOrder == CoordinatorProperties.SignerOrder.ASCENDING || participants.isEmpty()) {
      return participants;
    }
    int start = Math.floorMod(rotation.getAndIncrement(), participants.size());
    List<Integer> rotated = new ArrayList<>(participants.subList(start, participants.size()));
    rotated.addAll(participants.subList(0, start));
    return rotated;
  }

  boolean knows(int id) {
    return nodes.containsKey(id);
  }

  NodeClient node(int id) {
    NodeClient client = nodes.get(id);
    if (client == null) {
      throw CoordinatorProblems.invalid("unknown signer node " + id + "; known: " + nodes.keySet());
    }
    return client;
  }

  /** Forgets a key's decoded public package after a refresh changed its verifying shares. */
  void forget(String keyId) {
    publicKeys.remove(keyId);
  }

  /** Decoded once per key: a key's public part never changes, and decoding checks subgroups. */
  private PublicKeyPackage publicKeyPackage(Ciphersuite suite, SigningKeys.SigningKey key) {
    PublicKeyPackage cached = publicKeys.get(key.keyId());
    if (cached == null) {
      cached = decodePublicKeyPackage(suite, key);
      if (publicKeys.size() >= PUBLIC_KEYS_CACHED_MAX) {
        publicKeys.clear();
      }
      publicKeys.put(key.keyId(), cached);
    }
    return cached;
  }

  static PublicKeyPackage decodePublicKeyPackage(Ciphersuite suite, SigningKeys.SigningKey key) {
    Group g = suite.group();
    Map<Identifier, Element> shares = new TreeMap<>();
    key.verifyingShares().forEach((p, s) -> shares.put(Identifier.of(p), g.deserializeElement(s)));
    return PublicKeyPackage.of(shares, g.deserializeElement(key.groupKey()), key.minSigners());
  }
}
