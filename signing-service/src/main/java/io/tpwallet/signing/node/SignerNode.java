package io.tpwallet.signing.node;

import io.tpwallet.common.thread.DaemonThreads;
import io.tpwallet.signing.frost.Ciphersuite;
import io.tpwallet.signing.frost.Ciphersuites;
import io.tpwallet.signing.frost.Dkg;
import io.tpwallet.signing.frost.DkgEcho;
import io.tpwallet.signing.frost.Element;
import io.tpwallet.signing.frost.Frost;
import io.tpwallet.signing.frost.FrostException;
import io.tpwallet.signing.frost.Group;
import io.tpwallet.signing.frost.Identifier;
import io.tpwallet.signing.frost.KeyPackage;
import io.tpwallet.signing.frost.RandomSource;
import io.tpwallet.signing.frost.SignatureShare;
import io.tpwallet.signing.frost.SigningCommitments;
import io.tpwallet.signing.frost.SigningNonces;
import io.tpwallet.signing.frost.SigningPackage;
import io.tpwallet.signing.vault.ShareVault;
import io.tpwallet.signing.wire.Wire;
import io.tpwallet.signing.wire.WireCodec;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One signer node's side of DKG and signing. DKG state and nonces live only in this process's
 * memory; the finished share goes sealed into the vault. Round two of signing takes the session's
 * nonces first, so that a refused, failed or repeated request can never use them again.
 */
@Service
@Profile("signer")
class SignerNode {

  private static final Logger log = LoggerFactory.getLogger(SignerNode.class);
  static final int PARTICIPANTS_MAX = 255;
  static final int DESTINATIONS_MAX = 1000;
  static final int APPROVERS_MAX = 32;
  static final int MESSAGE_BYTES_MAX = 64 * 1024;
  static final int KEYS_CACHED_MAX = 10_000;
  static final int SIGN_BATCH_MAX = 64;
  static final int AHEAD_THREADS = 2;

  /** Makes the sessions a batched round two hands out ahead, beside the batch itself. */
  private static final ExecutorService AHEAD_MAKERS =
      Executors.newFixedThreadPool(AHEAD_THREADS, DaemonThreads.named("signing-ahead"));

  /** A DKG in progress at this node. */
  private static final class DkgSession {
    final Ciphersuite suite;
    final int self;
    final List<Integer> participants;
    final int minSigners;
    final Wire.Policy policy;
    final KeyPair dh;
    final PeerRoster.Roster roster;
    final Instant createdAt;
    Dkg.Round1 round1;
    Dkg.Round2Secret round2;
    Map<Identifier, Dkg.Round1Package> received = Map.of();
    Map<Integer, PublicKey> peerDh = Map.of();
    byte[] echo = new byte[0];

    DkgSession(
        Ciphersuite suite,
        int self,
        List<Integer> participants,
        int minSigners,
        Wire.Policy policy,
        KeyPair dh,
        PeerRoster.Roster roster,
        Instant createdAt,
        Dkg.Round1 round1) {
      this.suite = suite;
      this.self = self;
      this.participants = participants;
      this.minSigners = minSigners;
      this.policy = policy;
      this.dh = dh;
      this.roster = roster;
      this.createdAt = createdAt;
      this.round1 = round1;
    }
  }

  private final SignerProperties properties;
  private final ShareVault vault;
  private final NodeKeys keys;
  private final SigningAudit audit;
  private final SignedDecisions decisions;
  private final NodeRefresh refresh;
  private final NodeIdentity identity;
  private final PeerRoster rosters;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final RandomSource random = RandomSource.secure();
  private final NonceSessions nonces;
  private final Map<String, DkgSession> dkgs = new ConcurrentHashMap<>();
  private final Map<String, KeyMaterial> material = new ConcurrentHashMap<>();

  SignerNode(
      SignerProperties properties,
      ShareVault vault,
      NodeKeys keys,
      SigningAudit audit,
      SignedDecisions decisions,
      NodeRefresh refresh,
      NodeIdentity identity,
      PeerRoster rosters,
      PlatformTransactionManager transactions,
      Clock clock) {
    this.properties = properties;
    this.vault = vault;
    this.keys = keys;
    this.audit = audit;
    this.decisions = decisions;
    this.refresh = refresh;
    this.identity = identity;
    this.rosters = rosters;
    this.tx = new TransactionTemplate(transactions);
    this.clock = clock;
    this.nonces = new NonceSessions(clock, properties.nonceTtl(), properties.nonceSessionsMax());
  }

  int participant() {
    return properties.participant();
  }

  // ---- DKG ----------------------------------------------------------------------------------

  Wire.Round1 dkgRound1(Wire.DkgRound1Request request) {
    int self = properties.participant();
    if (request.participant() != self) {
      throw NodeProblems.protocol(
          "this node is participant " + self + ", not " + request.participant());
    }
    Ciphersuite suite = suite(request.suite());
    List<Integer> participants = new ArrayList<>(new TreeSet<>(request.participants()));
    if (participants.size() != request.participants().size()
        || participants.size() > PARTICIPANTS_MAX
        || !participants.contains(self)
        || participants.get(0) < 1) {
      throw NodeProblems.protocol("participants must be distinct positive ids including this node");
    }
    checkPolicy(request.policy());
    checkKeyId(request.keyId());
    if (keys.exists(request.keyId())) {
      throw new io.tpwallet.common.problem.ProblemException(
          HttpStatus.CONFLICT,
          io.tpwallet.common.problem.ProblemTypes.CONFLICT,
          "Key exists",
          "This node already holds a share of " + request.keyId());
    }
    // Before any secret is made: a node that cannot authenticate every peer takes no part.
    PeerRoster.Roster roster = rosters.require(participants);
    expireDkgs();
    Dkg.Round1 round1;
    try {
      round1 =
          new Dkg(suite)
              .part1(Identifier.of(self), participants.size(), request.minSigners(), random);
    } catch (FrostException e) {
      throw frostProblem(e);
    }
    KeyPair dh = ShareTransport.newKeyPair();
    var session =
        new DkgSession(
            suite,
            self,
            participants,
            request.minSigners(),
            request.policy(),
            dh,
            roster,
            clock.instant(),
            round1);
    if (dkgs.putIfAbsent(request.keyId(), session) != null) {
      throw NodeProblems.protocol("a DKG for " + request.keyId() + " is already in progress");
    }
    String dhPublic = WireCodec.hex(dh.getPublic().getEncoded());
    return WireCodec.round1(
        suite.group(),
        round1.broadcast(),
        dhPublic,
        identity.signTransportKey(TransportKeys.DKG, request.keyId(), dhPublic));
  }

  Wire.DkgRound2Response dkgRound2(Wire.DkgRound2Request request) {
    DkgSession s = dkg(request.keyId());
    synchronized (s) {
      if (s.round2 != null) {
        abort(request.keyId());
        throw NodeProblems.protocol("round two was already run for " + request.keyId());
      }
      try {
        Group group = s.suite.group();
        Set<Integer> expected = new TreeSet<>(s.participants);
        expected.remove(s.self);
        if (!request.round1().keySet().equals(expected)) {
          throw NodeProblems.protocol("round-one packages must come from exactly " + expected);
        }
        Map<Identifier, Dkg.Round1Package> received = new TreeMap<>();
        Map<Integer, String> dhPublics = new TreeMap<>();
        Map<Integer, @Nullable String> dhSignatures = new TreeMap<>();
        for (var e : request.round1().entrySet()) {
          received.put(Identifier.of(e.getKey()), WireCodec.round1(group, e.getValue()));
          dhPublics.put(e.getKey(), e.getValue().dhPublic());
          dhSignatures.put(e.getKey(), e.getValue().dhSignature());
        }
        // Nothing is sealed to a transport key its owner's pinned identity did not sign.
        Map<Integer, PublicKey> peerDh =
            TransportKeys.verified(
                s.roster, TransportKeys.DKG, request.keyId(), dhPublics, dhSignatures);
        Dkg.Round2 round2 = new Dkg(s.suite).part2(s.round1.secret(), received);
        Map<Identifier, Dkg.Round1Package> all = new TreeMap<>(received);
        all.put(Identifier.of(s.self), s.round1.broadcast());
        Map<Integer, PublicKey> allDh = new TreeMap<>(peerDh);
        allDh.put(s.self, s.dh.getPublic());
        s.echo = echo(s.suite, all, allDh);
        Map<Integer, String> sealed =
            ShareTransport.sealAll(group, s.dh, peerDh, request.keyId(), s.self, round2.outgoing());
        s.round2 = round2.secret();
        s.received = received;
        s.peerDh = peerDh;
        return new Wire.DkgRound2Response(WireCodec.hex(s.echo), sealed);
      } catch (FrostException e) {
        abort(request.keyId());
        throw frostProblem(e);
      } catch (IllegalArgumentException e) {
        abort(request.keyId());
        throw NodeProblems.protocol("bad round-one data: " + e.getMessage());
      } catch (RuntimeException e) {
        abort(request.keyId());
        throw e;
      }
    }
  }

  Wire.DkgFinishResponse dkgFinish(Wire.DkgFinishRequest request) {
    DkgSession s = dkg(request.keyId());
    // Whatever happens now, this DKG is over: a failed one is started again from round one.
    abort(request.keyId());
    synchronized (s) {
      if (s.round2 == null) {
        throw NodeProblems.protocol("round two has not run for " + request.keyId());
      }
      try {
        Group group = s.suite.group();
        Map<Identifier, byte[]> peerEchoes = new TreeMap<>();
        for (var e : request.echoes().entrySet()) {
          if (e.getKey() != s.self) {
            peerEchoes.put(Identifier.of(e.getKey()), WireCodec.unhex(e.getValue()));
          }
        }
        if (peerEchoes.size() != s.participants.size() - 1) {
          throw NodeProblems.protocol("an echo digest from every other participant is required");
        }
        DkgEcho.verify(s.echo, peerEchoes);
        if (!request.sealedShares().keySet().equals(s.peerDh.keySet())) {
          throw NodeProblems.protocol("a share from every other participant is required");
        }
        Map<Identifier, Dkg.Round2Package> shares =
            ShareTransport.openAll(
                group, s.dh, s.peerDh, request.keyId(), s.self, request.sealedShares());
        Dkg.Result result = new Dkg(s.suite).part3(s.round2, s.received, shares);
        KeyPackage key = result.keyPackage();
        byte[] groupKey = group.serializeElement(key.verifyingKey());
        byte[] verifyingShare = group.serializeElement(key.verifyingShare());
        tx.executeWithoutResult(
            status -> {
              keys.insert(
                  new NodeKeys.NodeKey(
                      request.keyId(),
                      s.suite.id(),
                      s.self,
                      s.minSigners,
                      s.participants.size(),
                      groupKey,
                      verifyingShare,
                      s.policy,
                      null));
              vault.seal(request.keyId(), s.self, group.serializeScalar(key.signingShare()));
            });
        log.info("DKG done: key {} participant {}", request.keyId(), s.self);
        return new Wire.DkgFinishResponse(
            s.self, WireCodec.hex(groupKey), WireCodec.hex(verifyingShare));
      } catch (FrostException e) {
        throw frostProblem(e);
      } catch (IllegalArgumentException e) {
        throw NodeProblems.protocol("bad round-two data: " + e.getMessage());
      }
    }
  }

  // ---- signing ------------------------------------------------------------------------------

  Wire.CommitResponse commit(Wire.CommitRequest request) {
    KeyMaterial key;
    String sessionKey = request.keyId();
    if (request.isRefreshTest()) {
      String refreshId = required(request.refreshId(), "refreshId");
      key = refresh.pendingMaterial(material(request.keyId()).row(), refreshId);
      sessionKey = testSession(request.keyId(), refreshId);
    } else {
      key = current(request.keyId(), request.refreshId());
    }
    SigningNonces made = new Frost(key.suite()).commit(key.keyPackage(), random);
    String sessionId = UUID.randomUUID().toString();
    if (!nonces.put(sessionId, sessionKey, made)) {
      throw new io.tpwallet.common.problem.ProblemException(
          HttpStatus.SERVICE_UNAVAILABLE,
          NodeProblems.BUSY,
          "Too many open signing sessions",
          "This node holds the most unused nonces it allows; retry shortly.");
    }
    return new Wire.CommitResponse(
        sessionId, WireCodec.commitment(key.suite(), made.commitments()));
  }

  /**
   * Round one for several signatures of one key at once: {@code count} fresh sessions, each with
   * its own nonces, exactly as {@code count} single round ones would make them. All or none: if the
   * node cannot hold them all, the ones made are destroyed.
   */
  Wire.CommitBatchResponse commitBatch(Wire.CommitBatchRequest request) {
    if (request.count() < 1 || request.count() > SIGN_BATCH_MAX) {
      throw NodeProblems.protocol("a batch holds 1.." + SIGN_BATCH_MAX + " signatures");
    }
    KeyMaterial key = current(request.keyId(), request.refreshId());
    List<Wire.CommitResponse> sessions = new ArrayList<>(request.count());
    if (!makeSessions(key, request.keyId(), request.count(), nonces.sessionsMax(), sessions)) {
      sessions.forEach(s -> nonces.take(s.sessionId()).ifPresent(t -> t.nonces().destroy()));
      throw tooManySessions();
    }
    return new Wire.CommitBatchResponse(sessions);
  }

  /**
   * Makes up to {@code count} fresh sessions into {@code into} while the node holds fewer than
   * {@code openMax}; false if it stopped short.
   */
  private boolean makeSessions(
      KeyMaterial key, String keyId, int count, int openMax, List<Wire.CommitResponse> into) {
    Frost frost = new Frost(key.suite());
    for (int i = 0; i < count; i++) {
      if (nonces.size() >= openMax) {
        return false;
      }
      SigningNonces made = frost.commit(key.keyPackage(), random);
      String sessionId = UUID.randomUUID().toString();
      if (!nonces.put(sessionId, keyId, made)) {
        return false;
      }
      into.add(
          new Wire.CommitResponse(
              sessionId, WireCodec.commitment(key.suite(), made.commitments())));
    }
    return true;
  }

  /**
   * Sessions handed out ahead with a round-two answer (FROST preprocessing): as many as asked, up
   * to a batch, while they fill at most half of the node's session store, so that sessions handed
   * out ahead and never used can never crowd out a live round one. None if the key's share
   * generation is not the one asked for.
   */
  private List<Wire.CommitResponse> ahead(Wire.SignRequest first, int count) {
    if (count <= 0 || first.isRefreshTest()) {
      return List.of();
    }
    KeyMaterial key;
    try {
      key = current(first.keyId(), first.refreshId());
    } catch (io.tpwallet.common.problem.ProblemException e) {
      return List.of();
    }
    List<Wire.CommitResponse> sessions = new ArrayList<>(Math.min(count, SIGN_BATCH_MAX));
    makeSessions(
        key, first.keyId(), Math.min(count, SIGN_BATCH_MAX), nonces.sessionsMax() / 2, sessions);
    return sessions;
  }

  private static RuntimeException tooManySessions() {
    return new io.tpwallet.common.problem.ProblemException(
        HttpStatus.SERVICE_UNAVAILABLE,
        NodeProblems.BUSY,
        "Too many open signing sessions",
        "This node holds the most unused nonces it allows; retry shortly.");
  }

  /**
   * Round two. The share is computed outside any database transaction; it leaves the node only
   * after the per-day total has been raised by one guarded upsert and the decision audited in the
   * same short transaction, so the key's day row is locked for two statements and a commit.
   */
  Wire.SignResponse sign(Wire.SignRequest request) {
    if (request.isRefreshTest()) {
      return consuming(takeSession(request), s -> signRefreshTest(s, request));
    }
    Prepared prepared = prepare(request);
    boolean withinDay = decisions.admitAll(List.of(prepared.decision())).get(0);
    return release(prepared, withinDay);
  }

  /**
   * Round two for several signatures of one key: each item is checked and signed as a single round
   * two would be (its nonces taken first), the day totals and SIGNED audit rows of all items are
   * committed in one transaction, and only then do the shares leave. An item refused (policy, its
   * nonces gone, a bad package) gets its problem in its own result; its neighbours are unaffected.
   */
  Wire.SignBatchResponse signBatch(Wire.SignBatchRequest request) {
    if (request.items().isEmpty() || request.items().size() > SIGN_BATCH_MAX) {
      throw NodeProblems.protocol("a batch holds 1.." + SIGN_BATCH_MAX + " signatures");
    }
    int n = request.items().size();
    // Sessions for later batches are made while this batch is signed and its decisions committed
    // (mostly a wait for the disk), not after: they add CPU, not latency, to this answer.
    CompletableFuture<List<Wire.CommitResponse>> ahead =
        request.aheadCount() <= 0
            ? CompletableFuture.completedFuture(List.of())
            : CompletableFuture.supplyAsync(
                () -> ahead(request.items().get(0), request.aheadCount()), AHEAD_MAKERS);
    Wire.SignResult[] results = new Wire.SignResult[n];
    List<Prepared> prepared = new ArrayList<>(n);
    List<Integer> positions = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Wire.SignRequest item = request.items().get(i);
      try {
        if (item.isRefreshTest()) {
          // Never batched by the coordinator; refused here so that the test path stays single.
          takeSession(item).nonces().destroy();
          throw NodeProblems.protocol("a refresh test is not signed in a batch");
        }
        prepared.add(prepare(item));
        positions.add(i);
      } catch (io.tpwallet.common.problem.ProblemException e) {
        results[i] = new Wire.SignResult(null, itemProblem(e));
      }
    }
    if (!prepared.isEmpty()) {
      List<Boolean> admitted =
          decisions.admitAll(prepared.stream().map(Prepared::decision).toList());
      for (int j = 0; j < prepared.size(); j++) {
        try {
          results[positions.get(j)] =
              new Wire.SignResult(release(prepared.get(j), admitted.get(j)), null);
        } catch (io.tpwallet.common.problem.ProblemException e) {
          results[positions.get(j)] = new Wire.SignResult(null, itemProblem(e));
        }
      }
    }
    List<Wire.CommitResponse> made;
    try {
      made = ahead.join();
    } catch (java.util.concurrent.CompletionException e) {
      log.warn("No sessions made ahead for key {}", request.items().get(0).keyId(), e.getCause());
      made = List.of();
    }
    return new Wire.SignBatchResponse(List.of(results), made);
  }

  private static Wire.ItemProblem itemProblem(io.tpwallet.common.problem.ProblemException e) {
    var detail = e.toProblemDetail(null);
    Map<String, Object> properties =
        detail.getProperties() == null ? Map.of() : Map.copyOf(detail.getProperties());
    Object reason = properties.get("reason");
    return new Wire.ItemProblem(
        detail.getStatus(),
        String.valueOf(detail.getType()),
        String.valueOf(detail.getDetail()),
        reason == null ? null : reason.toString(),
        properties);
  }

  /** A share computed and waiting for its decision to be committed. */
  private record Prepared(
      KeyMaterial key,
      Wire.SignRequest request,
      byte[] digest,
      SignatureShare share,
      SignedDecisions.Request decision) {}

  private NonceSessions.Session takeSession(Wire.SignRequest request) {
    return nonces
        .take(request.sessionId())
        .orElseThrow(() -> NodeProblems.noncesUnavailable(request.sessionId()));
  }

  /**
   * Takes the session's nonces before anything else (from here on they are gone, whatever follows),
   * checks every rule but the running day total (a request alone above the day limit fails here),
   * and computes the share, which stays in this process until its decision is committed.
   */
  private Prepared prepare(Wire.SignRequest request) {
    return consuming(takeSession(request), session -> prepare(request, session));
  }

  /**
   * Runs a round two on a session taken out of memory, and destroys its nonces whatever happens;
   * the library's refusals become protocol problems.
   */
  private static <T> T consuming(
      NonceSessions.Session session, java.util.function.Function<NonceSessions.Session, T> work) {
    try {
      return work.apply(session);
    } catch (FrostException e) {
      throw frostProblem(e);
    } catch (IllegalArgumentException e) {
      throw NodeProblems.protocol("bad signing request: " + e.getMessage());
    } finally {
      session.nonces().destroy();
    }
  }

  private Prepared prepare(Wire.SignRequest request, NonceSessions.Session session) {
    if (!session.keyId().equals(request.keyId())) {
      throw NodeProblems.protocol("session " + request.sessionId() + " is for another key");
    }
    byte[] message = WireCodec.unhex(request.message());
    if (message.length > MESSAGE_BYTES_MAX) {
      throw NodeProblems.protocol("message longer than " + MESSAGE_BYTES_MAX + " bytes");
    }
    byte[] digest = sha256(message);
    KeyMaterial key = material(request.keyId());
    Wire.Policy policy = key.row().policy();
    Optional<SigningPolicy.Refusal> refusal =
        SigningPolicy.check(key.row().keyId(), policy, request.context(), digest, BigInteger.ZERO);
    if (refusal.isPresent()) {
      throw refused(key, request, digest, refusal.get());
    }
    Wire.PolicyContext context = java.util.Objects.requireNonNull(request.context());
    SigningPackage pkg = SigningPackage.of(commitments(key, request, session.nonces()), message);
    SignatureShare share = new Frost(key.suite()).sign(pkg, session.nonces(), key.keyPackage());
    LocalDate day = clock.instant().atZone(ZoneOffset.UTC).toLocalDate();
    return new Prepared(
        key,
        request,
        digest,
        share,
        new SignedDecisions.Request(
            key.row().keyId(), day, policy.perDayMax(), request.sessionId(), context, digest));
  }

  /** The share, once its decision is committed; or the day limit's refusal, audited. */
  private Wire.SignResponse release(Prepared p, boolean withinDay) {
    KeyMaterial key = p.key();
    if (!withinDay) {
      Wire.Policy policy = key.row().policy();
      Wire.PolicyContext context = p.decision().context();
      SigningPolicy.Refusal dayRefusal =
          SigningPolicy.check(
                  key.row().keyId(),
                  policy,
                  context,
                  p.digest(),
                  keys.signedOn(key.row().keyId(), p.decision().day()))
              .orElse(
                  new SigningPolicy.Refusal(
                      SigningPolicy.PER_DAY,
                      "amount "
                          + context.amount()
                          + " is above the per-day limit "
                          + policy.perDayMax()));
      throw refused(key, p.request(), p.digest(), dayRefusal);
    }
    return new Wire.SignResponse(
        key.row().participant(), WireCodec.hex(p.share().serialize(key.suite().group())));
  }

  /**
   * Round two of a refresh's test signature, with the pending share: the node signs only the
   * refresh's own test message, which pays nothing, so no policy applies; it is audited.
   */
  private Wire.SignResponse signRefreshTest(
      NonceSessions.Session session, Wire.SignRequest request) {
    String refreshId = required(request.refreshId(), "refreshId");
    if (!session.keyId().equals(testSession(request.keyId(), refreshId))) {
      throw NodeProblems.protocol("session " + request.sessionId() + " is not this refresh's test");
    }
    byte[] message = Wire.refreshTestMessage(request.keyId(), refreshId);
    if (!Arrays.equals(message, WireCodec.unhex(request.message()))) {
      throw NodeProblems.protocol("a refresh test signs its own test message only");
    }
    KeyMaterial key = refresh.pendingMaterial(material(request.keyId()).row(), refreshId);
    SignatureShare share =
        new Frost(key.suite())
            .sign(
                SigningPackage.of(commitments(key, request, session.nonces()), message),
                session.nonces(),
                key.keyPackage());
    tx.executeWithoutResult(
        status -> {
          refresh.markTested(request.keyId(), refreshId);
          audit.record(
              request.keyId(),
              request.sessionId(),
              null,
              sha256(message),
              "SIGNED",
              "refresh-test " + refreshId);
        });
    return new Wire.SignResponse(
        key.row().participant(), WireCodec.hex(share.serialize(key.suite().group())));
  }

  /**
   * The key's active material, if it is the share generation the coordinator signs with. A node
   * that missed a refresh's commit (it was down) but signed that refresh's test makes the new share
   * active now: the coordinator only signs with a generation whose test signature succeeded.
   */
  private KeyMaterial current(String keyId, @org.jspecify.annotations.Nullable String refreshId) {
    KeyMaterial key = material(keyId);
    if (java.util.Objects.equals(refreshId, key.row().refreshId())) {
      return key;
    }
    if (refreshId != null) {
      refresh.commit(key.row(), refreshId);
      // Committed now, here or by a parallel round (or by the coordinator's commit): reload.
      forget(keyId);
      key = material(keyId);
      if (refreshId.equals(key.row().refreshId())) {
        return key;
      }
    }
    throw NodeProblems.staleShares(keyId, refreshId, key.row().refreshId());
  }

  // ---- refresh ------------------------------------------------------------------------------

  Wire.RefreshRound1 refreshRound1(Wire.RefreshRound1Request request) {
    return refresh.round1(request, material(request.keyId()).row());
  }

  Wire.DkgRound2Response refreshRound2(Wire.RefreshRound2Request request) {
    return refresh.round2(request);
  }

  Wire.DkgFinishResponse refreshFinish(Wire.RefreshFinishRequest request) {
    KeyMaterial key = material(request.keyId());
    return refresh.finish(request, key.row(), key.keyPackage());
  }

  /** Commit: the pending share replaces the active one, whose cached copy is wiped. */
  Wire.RefreshEndResponse refreshCommit(Wire.RefreshEndRequest request) {
    KeyMaterial key = material(request.keyId());
    if (!request.refreshId().equals(key.row().refreshId())) {
      if (!refresh.commit(key.row(), request.refreshId())) {
        throw NodeProblems.protocol(
            "no tested refresh " + request.refreshId() + " of " + request.keyId() + " here");
      }
      forget(request.keyId());
    }
    return endResponse(request.keyId());
  }

  Wire.RefreshEndResponse refreshAbort(Wire.RefreshEndRequest request) {
    refresh.abort(request.keyId(), request.refreshId());
    return endResponse(request.keyId());
  }

  private Wire.RefreshEndResponse endResponse(String keyId) {
    NodeKeys.NodeKey row = material(keyId).row();
    return new Wire.RefreshEndResponse(
        row.participant(), row.refreshId(), WireCodec.hex(row.verifyingShare()));
  }

  /**
   * The package's commitments, decoded with every input check, except this node's own when it is
   * byte for byte the one it made: that one needs no subgroup check (it made the points), which
   * saves half of the decoding at each node of a 2-of-3 signature. Any other value is decoded and
   * then refused by the signing step as a commitment that is not this node's.
   */
  private static List<SigningCommitments> commitments(
      KeyMaterial key, Wire.SignRequest request, SigningNonces nonces) {
    SigningCommitments mine = nonces.commitments();
    Wire.Commitment mineOnWire = WireCodec.commitment(key.suite(), mine);
    List<SigningCommitments> out = new ArrayList<>();
    for (Wire.Commitment c : request.commitments()) {
      out.add(c.equals(mineOnWire) ? mine : WireCodec.commitment(key.suite(), c));
    }
    return out;
  }

  private static String testSession(String keyId, String refreshId) {
    return keyId + NodeRefresh.PENDING_SUFFIX + "/" + refreshId;
  }

  private static String required(@org.jspecify.annotations.Nullable String value, String name) {
    if (value == null) {
      throw NodeProblems.protocol(name + " is required");
    }
    return value;
  }

  private RuntimeException refused(
      KeyMaterial key, Wire.SignRequest request, byte[] digest, SigningPolicy.Refusal refusal) {
    tx.executeWithoutResult(
        status ->
            audit.record(
                key.row().keyId(),
                request.sessionId(),
                request.context(),
                digest,
                "REFUSED",
                refusal.code() + ": " + refusal.detail()));
    log.warn(
        "Refused to sign with key {} (request {}): {}",
        request.keyId(),
        request.context() == null ? "-" : request.context().requestId(),
        refusal.detail());
    return NodeProblems.policyRefused(refusal.code(), refusal.detail());
  }

  /**
   * A key's public part, policy and opened share, decoded and unsealed once: the public part and
   * policy are fixed when the DKG finishes (there is no API to change them), and opening the sealed
   * share in the token on every round is what bounded a node's signing rate. The opened share lives
   * only in this object's array, which is wiped when the key leaves the cache (its shares are
   * refreshed or the cache is full) and when the node stops.
   */
  static final class KeyMaterial {
    private final NodeKeys.NodeKey row;
    private final Ciphersuite suite;
    private final Element verifyingShare;
    private final Element groupKey;
    private final byte[] share;
    private boolean wiped;

    KeyMaterial(
        NodeKeys.NodeKey row,
        Ciphersuite suite,
        Element verifyingShare,
        Element groupKey,
        byte[] share) {
      this.row = row;
      this.suite = suite;
      this.verifyingShare = verifyingShare;
      this.groupKey = groupKey;
      this.share = share;
    }

    NodeKeys.NodeKey row() {
      return row;
    }

    Ciphersuite suite() {
      return suite;
    }

    synchronized KeyPackage keyPackage() {
      if (wiped) {
        // A round that raced with a refresh: the caller starts again from round one.
        throw NodeProblems.noncesUnavailable("(shares of " + row.keyId() + " were replaced)");
      }
      return new KeyPackage(
          Identifier.of(row.participant()),
          suite.group().deserializeScalar(share),
          verifyingShare,
          groupKey,
          row.minSigners());
    }

    synchronized void wipe() {
      Arrays.fill(share, (byte) 0);
      wiped = true;
    }
  }

  private KeyMaterial material(String keyId) {
    KeyMaterial cached = material.get(keyId);
    if (cached != null) {
      return cached;
    }
    NodeKeys.NodeKey row = keys.find(keyId).orElseThrow(() -> NodeProblems.unknownKey(keyId));
    Ciphersuite suite = Ciphersuites.byId(row.suite());
    KeyMaterial made =
        new KeyMaterial(
            row,
            suite,
            suite.group().deserializeElement(row.verifyingShare()),
            suite.group().deserializeElement(row.groupKey()),
            vault.withShare(keyId, row.participant(), byte[]::clone));
    if (material.size() >= KEYS_CACHED_MAX) {
      forgetAll();
    }
    KeyMaterial raced = material.putIfAbsent(keyId, made);
    if (raced != null) {
      made.wipe();
      return raced;
    }
    return made;
  }

  /** The key's active material (public part, policy, opened share), for a repair's helper. */
  KeyMaterial keyMaterial(String keyId) {
    return material(keyId);
  }

  /** Drops a key's cached material and wipes its opened share. */
  void forget(String keyId) {
    KeyMaterial gone = material.remove(keyId);
    if (gone != null) {
      gone.wipe();
    }
  }

  @jakarta.annotation.PreDestroy
  void forgetAll() {
    for (String keyId : List.copyOf(material.keySet())) {
      forget(keyId);
    }
  }

  int openNonceSessions() {
    return nonces.size();
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** The DKG echo: every round-one package and every ephemeral transport key, as seen here. */
  static byte[] echo(
      Ciphersuite suite, Map<Identifier, Dkg.Round1Package> all, Map<Integer, PublicKey> dh) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(DkgEcho.digest(suite, all));
      new TreeMap<>(dh)
          .forEach(
              (id, k) -> {
                sha.update(BigInteger.valueOf(id).toByteArray());
                sha.update(k.getEncoded());
              });
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(byte[] m) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(m);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Ciphersuite suite(String id) {
    if (!id.equals(Ciphersuites.ED25519_SHA512.id())
        && !id.equals(Ciphersuites.SECP256K1_SHA256_TR.id())) {
      throw NodeProblems.protocol("unsupported ciphersuite " + id);
    }
    return Ciphersuites.byId(id);
  }

  private static void checkKeyId(String keyId) {
    if (!keyId.matches("[A-Za-z0-9_-]{1,64}")) {
      throw NodeProblems.protocol("key id must be 1..64 of [A-Za-z0-9_-]");
    }
  }

  private static void checkPolicy(Wire.Policy p) {
    if (p.asset() == null
        || p.asset().isBlank()
        || p.perTransactionMax() == null
        || p.perDayMax() == null
        || p.perTransactionMax().signum() < 0
        || p.perDayMax().signum() < 0
        || p.perTransactionMax().bitLength() > 128
        || p.perDayMax().bitLength() > 128
        || p.destinations() == null
        || p.destinations().isEmpty()
        || p.destinations().size() > DESTINATIONS_MAX) {
      throw NodeProblems.protocol(
          "a policy needs an asset, non-negative limits and 1.."
              + DESTINATIONS_MAX
              + " destinations");
    }
    Wire.Approvals a = p.approvals();
    if (a != null) {
      if (a.above() == null
          || a.above().signum() < 0
          || a.above().bitLength() > 128
          || a.approvers() == null
          || a.approvers().isEmpty()
          || a.approvers().size() > APPROVERS_MAX
          || a.required() < 1
          || a.required() > a.approvers().size()
          || new java.util.HashSet<>(a.approvers()).size() != a.approvers().size()) {
        throw NodeProblems.protocol(
            "approvals need a non-negative threshold, 1.."
                + APPROVERS_MAX
                + " distinct approvers and 1..approvers required");
      }
      for (String approver : a.approvers()) {
        try {
          if (approver == null || !approver.equals(approver.toLowerCase(java.util.Locale.ROOT))) {
            throw new java.security.InvalidKeyException("not lowercase hex");
          }
          SigningPolicy.ed25519PublicKey(WireCodec.unhex(approver));
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
          throw NodeProblems.protocol(
              "an approver must be a raw Ed25519 public key in lowercase hex: " + approver);
        }
      }
    }
  }

  private DkgSession dkg(String keyId) {
    DkgSession s = dkgs.get(keyId);
    if (s == null || s.createdAt.plus(properties.dkgTtl()).isBefore(clock.instant())) {
      dkgs.remove(keyId);
      throw NodeProblems.protocol("no DKG in progress for " + keyId + " at this node");
    }
    return s;
  }

  private void abort(String keyId) {
    dkgs.remove(keyId);
  }

  private void expireDkgs() {
    Instant cutoff = clock.instant().minus(properties.dkgTtl());
    dkgs.values().removeIf(s -> s.createdAt.isBefore(cutoff));
  }

  private static RuntimeException frostProblem(FrostException e) {
    Map<String, Object> props = new HashMap<>();
    props.put("reason", e.reason().name());
    props.put("culprits", e.culprits().stream().map(i -> i.value().intValueExact()).toList());
    return NodeProblems.protocol(e.getMessage(), props);
  }
}
