package io.tpwallet.signing.coordinator;

import io.tpwallet.common.thread.DaemonThreads;
import io.tpwallet.signing.frost.Ciphersuites;
import io.tpwallet.signing.frost.Group;
import io.tpwallet.signing.frost.Identifier;
import io.tpwallet.signing.frost.SignatureShare;
import io.tpwallet.signing.wire.Wire;
import io.tpwallet.signing.wire.WireCodec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs the concurrent requests of one key together, the signing analogue of group commit: the
 * requests that arrive while a batch is under way (or within the linger) form the next batch, which
 * costs one round-one and one round-two exchange per node instead of one of each per signature.
 * Every signature keeps its own nonces (a node makes one session per signature), its own package
 * and its own policy decision at each node; a node answers each item on its own, so a refused item
 * does not fail its neighbours. An item that lost a node (unreachable, killed, or no longer holding
 * the item's nonces) is signed again on its own from round one with fresh nonces, as a single
 * request that loses a node is: no node is ever asked to use a session twice.
 */
final class BatchSigning {

  private static final Logger log = LoggerFactory.getLogger(BatchSigning.class);
  static final int DRAIN_THREADS = 16;
  static final long WAIT_SECONDS_MAX = 120;
  // (node, key) pairs with pooled commitments: with 3 nodes, the 1,000 busiest keys.
  static final int POOL_SLOTS_MAX = 3_000;

  /** A request waiting in its key's lane. */
  private record Pending(
      SigningKeys.SigningKey key,
      byte[] message,
      Wire.PolicyContext context,
      CompletableFuture<SigningCoordinator.Signed> result) {}

  /** The waiting requests of one key and how many batches of it are under way. */
  private static final class Lane {
    final String keyId;
    final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();
    final AtomicInteger draining = new AtomicInteger();

    Lane(String keyId) {
      this.keyId = keyId;
    }
  }

  private final SigningCoordinator coordinator;
  private final int signaturesMax;
  private final long lingerNanos;
  private final int inFlightMax;
  // Null when preprocessing is off: every batch then starts at round one.
  private final @Nullable CommitmentPool pool;
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
  // Combines the items of batches (pure computation): one thread per core.
  private static final ExecutorService AGGREGATORS =
      Executors.newFixedThreadPool(
          Runtime.getRuntime().availableProcessors(), DaemonThreads.named("signing-aggregate"));
  // Not the coordinator's round pool: a batch waits on round calls made in that pool.
  private final ExecutorService drainers =
      Executors.newFixedThreadPool(DRAIN_THREADS, DaemonThreads.named("signing-batches"));

  BatchSigning(
      SigningCoordinator coordinator, CoordinatorProperties.Batch properties, Clock clock) {
    this.coordinator = coordinator;
    this.signaturesMax = Objects.requireNonNull(properties.signaturesMax());
    this.lingerNanos = Objects.requireNonNull(properties.linger()).toNanos();
    this.inFlightMax = Objects.requireNonNull(properties.inFlightMax());
    int aheadMax = Objects.requireNonNull(properties.aheadMax());
    this.pool =
        aheadMax == 0
            ? null
            : new CommitmentPool(
                clock, Objects.requireNonNull(properties.aheadTtl()), aheadMax, POOL_SLOTS_MAX);
  }

  boolean enabled() {
    return signaturesMax > 1;
  }

  /** Queues the request in its key's lane and waits for its own result. */
  SigningCoordinator.Signed sign(
      SigningKeys.SigningKey key, byte[] message, Wire.PolicyContext context) {
    var pending = new Pending(key, message, context, new CompletableFuture<>());
    Lane lane = lanes.computeIfAbsent(key.keyId(), Lane::new);
    lane.waiting.add(pending);
    kick(lane);
    try {
      return pending.result().get(WAIT_SECONDS_MAX, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signing", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("a batched signature took over " + WAIT_SECONDS_MAX + " s");
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new CompletionException(e.getCause());
    }
  }

  /** Starts another batch of the lane unless enough are under way already. */
  private void kick(Lane lane) {
    while (true) {
      int now = lane.draining.get();
      if (now >= inFlightMax) {
        return;
      }
      if (lane.draining.compareAndSet(now, now + 1)) {
        drainers.execute(() -> drain(lane));
        return;
      }
    }
  }

  private void drain(Lane lane) {
    try {
      while (true) {
        List<Pending> batch = take(lane);
        if (batch.size() < signaturesMax && lingerNanos > 0) {
          // Gives the requests that are just arriving a chance to share this batch.
          java.util.concurrent.locks.LockSupport.parkNanos(lingerNanos);
          batch.addAll(take(lane, signaturesMax - batch.size()));
        }
        if (batch.isEmpty()) {
          return;
        }
        run(batch);
      }
    } catch (RuntimeException | Error e) {
      log.error("Signing batch of key {} failed", lane.keyId, e);
      throw e;
    } finally {
      lane.draining.decrementAndGet();
      // A request queued after the last take, while this drainer still counted, starts one now.
      if (!lane.waiting.isEmpty()) {
        kick(lane);
      } else if (lane.draining.get() == 0) {
        // An idle lane is dropped, so the map holds only keys in use; a request racing with this
        // makes a new lane or keeps the old one, and either drains it.
        lanes.remove(lane.keyId, lane);
        if (!lane.waiting.isEmpty()) {
          kick(lane);
        }
      }
    }
  }

  private List<Pending> take(Lane lane) {
    return take(lane, signaturesMax);
  }

  private static List<Pending> take(Lane lane, int max) {
    List<Pending> batch = new ArrayList<>();
    Pending p;
    while (batch.size() < max && (p = lane.waiting.poll()) != null) {
      batch.add(p);
    }
    return batch;
  }

  /** Signs one batch; requests of another share generation (a refresh raced) go separately. */
  private void run(List<Pending> batch) {
    Map<String, List<Pending>> byGeneration = new LinkedHashMap<>();
    for (Pending p : batch) {
      byGeneration
          .computeIfAbsent(String.valueOf(p.key().refreshId()), g -> new ArrayList<>())
          .add(p);
    }
    for (List<Pending> same : byGeneration.values()) {
      try {
        signTogether(same);
      } catch (RuntimeException e) {
        // A bug, not a node's answer: every request of the batch gets it.
        same.forEach(p -> p.result().completeExceptionally(e));
      }
    }
  }

  private void signTogether(List<Pending> batch) {
    if (batch.size() == 1) {
      alone(batch.get(0));
      return;
    }
    List<Pending> again = signTogether(batch, pool != null);
    if (again.isEmpty()) {
      return;
    }
    if (again.size() > 1) {
      // Lost a node, or a node no longer held pooled sessions (it restarted): once more together,
      // with fresh round ones and without the pool; what fails again goes on its own.
      signTogether(again, false).forEach(this::alone);
    } else {
      again.forEach(this::alone);
    }
  }

  /**
   * Signs the batch in one round two per node, starting from round one only at nodes without enough
   * pooled sessions; answers every request it can and returns those to sign again (they lost a
   * node).
   */
  private List<Pending> signTogether(List<Pending> batch, boolean usePool) {
    SigningKeys.SigningKey key = batch.get(0).key();
    int n = batch.size();
    // Round one: n sessions from each of t reachable participants, from the pool where it has n.
    Map<Integer, List<Wire.CommitResponse>> sessions = new TreeMap<>();
    Set<Integer> pooled = new LinkedHashSet<>();
    List<Integer> candidates = new ArrayList<>();
    for (int p : coordinator.preferred(key.participants())) {
      if (coordinator.knows(p)) {
        candidates.add(p);
      }
    }
    int next = 0;
    while (sessions.size() < key.minSigners() && next < candidates.size()) {
      int wanted = Math.min(key.minSigners() - sessions.size(), candidates.size() - next);
      List<Integer> asked = new ArrayList<>(wanted);
      for (int p : candidates.subList(next, next + wanted)) {
        List<Wire.CommitResponse> ahead =
            usePool && pool != null ? pool.take(p, key.keyId(), key.refreshId(), n) : List.of();
        if (ahead.size() == n) {
          sessions.put(p, ahead);
          pooled.add(p);
        } else {
          asked.add(p);
        }
      }
      next += wanted;
      if (asked.isEmpty()) {
        continue;
      }
      var answers =
          coordinator.onEach(
              asked,
              p ->
                  coordinator
                      .node(p)
                      .commitBatch(new Wire.CommitBatchRequest(key.keyId(), key.refreshId(), n)));
      answers.forEach(
          (p, answer) -> {
            var value = answer.value();
            if (value != null && value.sessions().size() == n) {
              sessions.put(p, value.sessions());
            } else {
              log.warn(
                  "Signer node {} not usable for a batch of key {}: {}",
                  p,
                  key.keyId(),
                  answer.failure() == null ? "wrong session count" : answer.failure().getMessage());
              forgetPooled(p);
            }
          });
    }
    if (sessions.size() < key.minSigners()) {
      // Too few nodes for the batch: each request finds out on its own (and records its outcome);
      // the sessions made or pooled here are never used and expire at their nodes.
      batch.forEach(this::alone);
      return List.of();
    }
    // Round two at the t nodes at once: each item's own package, in the batch's order.
    List<List<Wire.Commitment>> packages = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      List<Wire.Commitment> commitments = new ArrayList<>(sessions.size());
      for (List<Wire.CommitResponse> s : sessions.values()) {
        commitments.add(s.get(i).commitment());
      }
      packages.add(commitments);
    }
    List<Integer> signers = List.copyOf(sessions.keySet());
    var answers =
        coordinator.onEach(
            signers,
            p -> {
              List<Wire.SignRequest> items = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                Pending item = batch.get(i);
                items.add(
                    new Wire.SignRequest(
                        key.keyId(),
                        sessions.get(p).get(i).sessionId(),
                        WireCodec.hex(item.message()),
                        packages.get(i),
                        item.context(),
                        key.refreshId(),
                        false));
              }
              return coordinator
                  .node(p)
                  .signBatch(
                      new Wire.SignBatchRequest(items, ahead(key, p, n, pooled.contains(p))));
            });
    refill(key, pooled, answers);
    List<Pending> again = new ArrayList<>();
    Map<Pending, SigningCoordinator.Signed> signed = new LinkedHashMap<>();
    Map<Pending, RuntimeException> failed = new LinkedHashMap<>();
    try {
      List<Verdict> verdicts = verdicts(key, batch, signers, packages, answers);
      // The batch's request log rows in one commit; the answers go out after it.
      coordinator.requestLog(() -> judge(key, batch, verdicts, signed, failed, again));
    } catch (RuntimeException e) {
      batch.forEach(p -> p.result().completeExceptionally(e));
      return List.of();
    }
    signed.forEach((p, s) -> p.result().complete(s));
    failed.forEach((p, e) -> p.result().completeExceptionally(e));
    // Shares already released for the abandoned packages are useless without the lost node's.
    return again;
  }

  /**
   * How many sessions to ask a node for ahead: what this batch took from the pool (or twice the
   * batch where it had to do round one, so that the pool builds up), never more than the pool
   * lacks. Asking for all the pool lacks would make each of the key's batches in flight ask for the
   * same gap, and the nodes would make sessions that the full pool then throws away.
   */
  private int ahead(SigningKeys.SigningKey key, int node, int n, boolean fromPool) {
    if (pool == null) {
      return 0;
    }
    return Math.min(pool.wanted(node, key.keyId(), key.refreshId()), fromPool ? n : 2 * n);
  }

  /**
   * Pools the sessions each node handed out ahead. A node that failed, or refused a pooled session
   * as unknown (it restarted and lost its memory), has its pooled sessions forgotten first: the
   * ones it just made are the only ones it still holds.
   */
  private void refill(
      SigningKeys.SigningKey key,
      Set<Integer> pooled,
      Map<Integer, SigningCoordinator.Outcome<Wire.SignBatchResponse>> answers) {
    if (pool == null) {
      return;
    }
    answers.forEach(
        (p, answer) -> {
          Wire.SignBatchResponse value = answer.value();
          if (value == null) {
            forgetPooled(p);
            return;
          }
          boolean lostSessions =
              value.results().stream()
                  .anyMatch(
                      r ->
                          r.problem() != null
                              && r.problem().type().endsWith("/signing-nonces-unavailable"));
          if (lostSessions && pooled.contains(p)) {
            log.warn(
                "Signer node {} no longer holds sessions it handed out ahead (restarted?);"
                    + " its pooled commitments are dropped",
                p);
            forgetPooled(p);
          }
          pool.add(p, key.keyId(), key.refreshId(), value.aheadSessions());
        });
  }

  private void forgetPooled(int node) {
    if (pool != null) {
      pool.drop(node);
    }
  }

  /** What the t nodes' answers make of one item before anything is recorded. */
  private record Verdict(
      NodeClient.@Nullable Refused refusal,
      boolean lost,
      @Nullable CompletableFuture<SigningCoordinator.Signed> combined) {}

  /**
   * Each item's verdict from the t nodes' answers: a refusal, a lost node (sign it again), or its t
   * shares, combined (aggregated and verified) on the aggregation threads, the items of a batch
   * side by side. Nothing is recorded here; the combining runs outside the request log's
   * transaction.
   */
  private List<Verdict> verdicts(
      SigningKeys.SigningKey key,
      List<Pending> batch,
      List<Integer> signers,
      List<List<Wire.Commitment>> packages,
      Map<Integer, SigningCoordinator.Outcome<Wire.SignBatchResponse>> answers) {
    int n = batch.size();
    Group group = Ciphersuites.byId(key.suite()).group();
    List<Verdict> verdicts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Pending item = batch.get(i);
      Map<Identifier, SignatureShare> shares = new TreeMap<>();
      NodeClient.@Nullable Refused refusal = null;
      boolean lost = false;
      for (int p : signers) {
        var answer = answers.get(p);
        RuntimeException failure = answer.failure();
        Wire.@Nullable SignResult result = null;
        if (failure == null) {
          var results = Objects.requireNonNull(answer.value()).results();
          if (results.size() != n) {
            failure = new NodeClient.Unavailable(p, "answered " + results.size() + " of " + n);
          } else {
            result = results.get(i);
            Wire.ItemProblem problem = result.problem();
            if (problem != null) {
              failure =
                  problem.status() >= 500
                      ? new NodeClient.Unavailable(p, "answered " + problem.status())
                      : coordinator.node(p).refusedItem(problem);
            }
          }
        }
        if (failure instanceof NodeClient.Refused r && !NodeClientTypes.isStartAgain(r)) {
          if (refusal == null) {
            refusal = r;
          }
        } else if (failure != null) {
          log.warn(
              "Signer node {} lost during round two of a batch of key {}: {}",
              p,
              key.keyId(),
              failure.getMessage());
          lost = true;
        } else {
          var share = Objects.requireNonNull(Objects.requireNonNull(result).share());
          Identifier id = Identifier.of(p);
          shares.put(id, SignatureShare.deserialize(group, id, WireCodec.unhex(share.share())));
        }
      }
      CompletableFuture<SigningCoordinator.Signed> combined = null;
      if (refusal == null && !lost) {
        List<Wire.Commitment> pkg = packages.get(i);
        combined =
            CompletableFuture.supplyAsync(
                () -> coordinator.combine(key, item.message(), pkg, shares), AGGREGATORS);
      }
      verdicts.add(new Verdict(refusal, lost, combined));
    }
    return verdicts;
  }

  /** Each item's outcome from its verdict: a signature, a refusal, or sign it again; recorded. */
  private void judge(
      SigningKeys.SigningKey key,
      List<Pending> batch,
      List<Verdict> verdicts,
      Map<Pending, SigningCoordinator.Signed> signed,
      Map<Pending, RuntimeException> failed,
      List<Pending> again) {
    List<SigningKeys.RequestRow> rows = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Pending item = batch.get(i);
      Verdict verdict = verdicts.get(i);
      try {
        if (verdict.refusal() != null) {
          // The log keeps the items' order: the signatures before this refusal go in first.
          coordinator.recordAllSigned(rows);
          rows.clear();
          throw coordinator.refusedInRoundTwo(key, item.context(), verdict.refusal());
        }
        if (verdict.lost()) {
          again.add(item);
          continue;
        }
        SigningCoordinator.Signed s = join(Objects.requireNonNull(verdict.combined()));
        rows.add(coordinator.signedRow(key, item.context(), s));
        signed.put(item, s);
      } catch (io.tpwallet.common.problem.ProblemException e) {
        failed.put(item, e);
      }
    }
    // One JDBC batch for the signatures' rows, in the same transaction as before; the answers
    // still go out only after it commits.
    coordinator.recordAllSigned(rows);
  }

  private static SigningCoordinator.Signed join(
      CompletableFuture<SigningCoordinator.Signed> combined) {
    try {
      return combined.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private void alone(Pending p) {
    try {
      p.result().complete(coordinator.signAlone(p.key(), p.message(), p.context()));
    } catch (RuntimeException e) {
      p.result().completeExceptionally(e);
    }
  }
}
