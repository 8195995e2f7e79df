package io.tpwallet.signing.node;

import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import io.tpwallet.signing.frost.Ciphersuite;
import io.tpwallet.signing.frost.Ciphersuites;
import io.tpwallet.signing.frost.Dkg;
import io.tpwallet.signing.frost.Element;
import io.tpwallet.signing.frost.Frost;
import io.tpwallet.signing.frost.FrostException;
import io.tpwallet.signing.frost.Group;
import io.tpwallet.signing.frost.Identifier;
import io.tpwallet.signing.frost.KeyPackage;
import io.tpwallet.signing.frost.PublicKeyPackage;
import io.tpwallet.signing.frost.RandomSource;
import io.tpwallet.signing.frost.Repair;
import io.tpwallet.signing.frost.SignatureShare;
import io.tpwallet.signing.frost.SigningCommitments;
import io.tpwallet.signing.frost.SigningNonces;
import io.tpwallet.signing.frost.SigningPackage;
import io.tpwallet.signing.vault.ShareVault;
import io.tpwallet.signing.vault.VaultException;
import io.tpwallet.signing.wire.RepairWire;
import io.tpwallet.signing.wire.Wire;
import io.tpwallet.signing.wire.WireCodec;
import java.math.BigInteger;
import java.net.URI;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One node's side of the repair of a lost share by t helpers ({@link Repair}). A helper splits its
 * Lagrange-weighted share into pieces sealed to the other helpers, sums what it receives and seals
 * the sum to the lost participant; the lost participant rebuilds its share from the sums, checks it
 * against the verifying share in its own record, signs the repair's test message with it, and seals
 * it under its KEK only on the coordinator's commit. Everything of a repair lives in this process's
 * memory until then: no piece, sum or unchecked share is ever written, and an abort, an expiry or a
 * restart leaves nothing behind.
 */
@Service
@Profile("signer")
class NodeRepair {

  private static final Logger log = LoggerFactory.getLogger(NodeRepair.class);
  static final URI SHARE_HELD = ProblemTypes.of("signing-share-held");
  static final String HELPED = "REPAIR_HELPED";
  static final String REPAIRED = "REPAIRED";
  static final int TEST_SESSIONS_MAX = 64;

  /** A repair in progress at this node. */
  private static final class Session {
    final String repairId;
    final NodeKeys.NodeKey row;
    final Ciphersuite suite;
    final int lost;
    final KeyPair dh;
    final Instant createdAt;
    List<Integer> helpers = List.of();
    Map<Integer, PublicKey> peerDh = Map.of();
    // A helper's own piece between steps 1 and 2 (a BigInteger, which cannot be wiped; ADR 0003).
    @Nullable BigInteger ownPiece;
    boolean summed;
    // The lost node's checked, repaired share, until the commit seals it or the repair ends.
    SignerNode.@Nullable KeyMaterial repaired;
    boolean tested;

    Session(
        String repairId,
        NodeKeys.NodeKey row,
        Ciphersuite suite,
        int lost,
        KeyPair dh,
        Instant createdAt) {
      this.repairId = repairId;
      this.row = row;
      this.suite = suite;
      this.lost = lost;
      this.dh = dh;
      this.createdAt = createdAt;
    }

    boolean helping() {
      return lost != row.participant();
    }

    void wipe() {
      ownPiece = null;
      if (repaired != null) {
        repaired.wipe();
        repaired = null;
      }
    }
  }

  private final SignerProperties properties;
  private final ShareVault vault;
  private final NodeKeys keys;
  private final SigningAudit audit;
  private final SignerNode node;
  private final NodeIdentity identity;
  private final PeerRoster rosters;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final RandomSource random = RandomSource.secure();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final NonceSessions testNonces;

  NodeRepair(
      SignerProperties properties,
      ShareVault vault,
      NodeKeys keys,
      SigningAudit audit,
      SignerNode node,
      NodeIdentity identity,
      PeerRoster rosters,
      PlatformTransactionManager transactions,
      Clock clock) {
    this.properties = properties;
    this.vault = vault;
    this.keys = keys;
    this.audit = audit;
    this.node = node;
    this.identity = identity;
    this.rosters = rosters;
    this.tx = new TransactionTemplate(transactions);
    this.clock = clock;
    this.testNonces = new NonceSessions(clock, properties.nonceTtl(), TEST_SESSIONS_MAX);
  }

  RepairWire.Begun begin(RepairWire.Begin request) {
    checkId(request.repairId());
    NodeKeys.NodeKey row =
        keys.find(request.keyId()).orElseThrow(() -> NodeProblems.unknownKey(request.keyId()));
    if (!Objects.equals(request.refreshId(), row.refreshId())) {
      throw NodeProblems.staleShares(request.keyId(), request.refreshId(), row.refreshId());
    }
    if (request.participant() < 1) {
      throw NodeProblems.protocol("the participant to repair must be a positive id");
    }
    expire();
    Ciphersuite suite = Ciphersuites.byId(row.suite());
    int self = row.participant();
    if (request.participant() == self) {
      // The durable share is what a repair restores: an opened copy still cached is dropped, and
      // only a sealed share that does not open (or is gone) counts as lost.
      node.forget(request.keyId());
      if (holdsValidShare(row, suite)) {
        record(row.keyId(), request.repairId(), "REFUSED", "repair-not-needed: share still opens");
        throw new ProblemException(
            HttpStatus.CONFLICT,
            SHARE_HELD,
            "Share not lost",
            "Participant "
                + self
                + " still holds a sealed share of "
                + row.keyId()
                + " that opens and matches its verifying share; refresh the key instead.");
      }
    } else {
      // A helper will seal to the lost node: it must be able to authenticate it before anything.
      rosters.require(List.of(self, request.participant()));
      // A helper must hold a share that opens: repairing with a broken one would fail in step 3.
      try {
        node.keyMaterial(request.keyId()).keyPackage();
      } catch (VaultException e) {
        throw NodeProblems.protocol("this node cannot open its own share: " + e.getMessage());
      }
      log.info(
          "Repair {} of key {}: asked to help participant {}",
          request.repairId(),
          row.keyId(),
          request.participant());
    }
    KeyPair dh = ShareTransport.newKeyPair();
    Session replaced =
        sessions.put(
            row.keyId(),
            new Session(
                request.repairId(), row, suite, request.participant(), dh, clock.instant()));
    if (replaced != null) {
      replaced.wipe();
    }
    String dhPublic = WireCodec.hex(dh.getPublic().getEncoded());
    return new RepairWire.Begun(
        self,
        dhPublic,
        identity.signTransportKey(
            TransportKeys.REPAIR, transportId(request.keyId(), request.repairId()), dhPublic));
  }

  /** Step 1 at a helper: pieces of lambda_i * s_i, each sealed to the helper it is for. */
  RepairWire.Step1Response step1(RepairWire.Step1Request request) {
    Session s = session(request.keyId(), request.repairId());
    synchronized (s) {
      try {
        if (!s.helping() || !s.helpers.isEmpty()) {
          throw NodeProblems.protocol("step 1 runs once, at a helper");
        }
        int self = s.row.participant();
        List<Integer> helpers = new ArrayList<>(new TreeSet<>(request.helpers()));
        if (helpers.size() != request.helpers().size()
            || helpers.size() < s.row.minSigners()
            || helpers.size() > SignerNode.PARTICIPANTS_MAX
            || helpers.get(0) < 1
            || !helpers.contains(self)
            || helpers.contains(s.lost)) {
          throw NodeProblems.protocol(
              "helpers must be at least "
                  + s.row.minSigners()
                  + " distinct positive ids, this node included and participant "
                  + s.lost
                  + " not");
        }
        TreeSet<Integer> expected = new TreeSet<>(helpers);
        expected.add(s.lost);
        if (!request.dhPublics().keySet().equals(expected)
            || !request
                .dhPublics()
                .get(self)
                .equals(WireCodec.hex(s.dh.getPublic().getEncoded()))) {
          throw NodeProblems.protocol(
              "a transport key is needed from exactly " + expected + ", this node's own unchanged");
        }
        // Nothing is sealed to a transport key its owner's pinned identity did not sign: a relay
        // that hands in its own key as the lost node's (to open the sums) is named here.
        Map<Integer, String> others = new TreeMap<>(request.dhPublics());
        others.remove(self);
        Map<Integer, PublicKey> peers =
            TransportKeys.verified(
                rosters.require(expected),
                TransportKeys.REPAIR,
                transportId(s, request.keyId()),
                others,
                signatures(request.dhSignatures()));
        KeyPackage own = node.keyMaterial(request.keyId()).keyPackage();
        SortedMap<Identifier, BigInteger> pieces =
            new Repair(s.suite).step1(identifiers(helpers), own, Identifier.of(s.lost), random);
        s.ownPiece = pieces.remove(Identifier.of(self));
        Map<Identifier, Dkg.Round2Package> outgoing = new TreeMap<>();
        pieces.forEach((id, piece) -> outgoing.put(id, new Dkg.Round2Package(piece)));
        Map<Integer, String> sealed =
            ShareTransport.sealAll(
                s.suite.group(), s.dh, peers, transportId(s, request.keyId()), self, outgoing);
        s.helpers = helpers;
        s.peerDh = peers;
        record(
            request.keyId(),
            s.repairId,
            HELPED,
            "repair " + s.repairId + " of participant " + s.lost + " with helpers " + helpers);
        log.info(
            "Repair {} of key {}: pieces for participant {} sealed to helpers {}",
            s.repairId,
            request.keyId(),
            s.lost,
            helpers);
        return new RepairWire.Step1Response(sealed);
      } catch (RuntimeException e) {
        throw ended(request.keyId(), s, e, "step-1");
      }
    }
  }

  /**
   * Step 2 at a helper: opens the pieces sent to it, adds its own and seals the sum to the lost.
   */
  RepairWire.Step2Response step2(RepairWire.Step2Request request) {
    Session s = session(request.keyId(), request.repairId());
    synchronized (s) {
      try {
        BigInteger own = s.ownPiece;
        if (!s.helping() || own == null) {
          throw NodeProblems.protocol("step 2 runs once, at a helper, after step 1");
        }
        int self = s.row.participant();
        TreeSet<Integer> senders = new TreeSet<>(s.helpers);
        senders.remove(self);
        if (!request.pieces().keySet().equals(senders)) {
          throw NodeProblems.protocol("a piece is needed from exactly " + senders);
        }
        String transportId = transportId(s, request.keyId());
        List<BigInteger> received =
            new ArrayList<>(opened(s, transportId, request.pieces()).values());
        received.add(own);
        BigInteger sum = new Repair(s.suite).step2(received);
        byte[] plain = s.suite.group().serializeScalar(sum);
        byte[] sealed;
        try {
          sealed =
              ShareTransport.seal(
                  s.dh.getPrivate(),
                  s.peerDh.get(s.lost),
                  ShareTransport.aad(transportId, self, s.lost),
                  plain);
        } finally {
          Arrays.fill(plain, (byte) 0);
        }
        s.ownPiece = null;
        s.summed = true;
        return new RepairWire.Step2Response(WireCodec.hex(sealed));
      } catch (RuntimeException e) {
        throw ended(request.keyId(), s, e, "step-2");
      }
    }
  }

  /**
   * Step 3 at the lost participant: the share from the helpers' sums, refused unless it matches the
   * verifying share this node recorded at the DKG (or its last refresh). Kept in memory only.
   */
  RepairWire.Step3Response step3(RepairWire.Step3Request request) {
    Session s = session(request.keyId(), request.repairId());
    synchronized (s) {
      try {
        int self = s.row.participant();
        if (s.helping() || s.repaired != null) {
          throw NodeProblems.protocol("step 3 runs once, at the participant being repaired");
        }
        if (!request.sums().keySet().equals(request.dhPublics().keySet())
            || request.sums().size() < s.row.minSigners()
            || request.sums().size() > SignerNode.PARTICIPANTS_MAX
            || request.sums().containsKey(self)) {
          throw NodeProblems.protocol(
              "a sum and a transport key are needed from each of at least "
                  + s.row.minSigners()
                  + " helpers other than this node");
        }
        // A sum opens only under the sender's transport key: checking that key's signature makes
        // each sum the signed helper's, not a relay's.
        Map<Integer, PublicKey> peers =
            TransportKeys.verified(
                rosters.require(request.dhPublics().keySet()),
                TransportKeys.REPAIR,
                transportId(s, request.keyId()),
                request.dhPublics(),
                signatures(request.dhSignatures()));
        s.peerDh = peers;
        s.helpers = List.copyOf(peers.keySet());
        String transportId = transportId(s, request.keyId());
        Map<Identifier, BigInteger> sums = new TreeMap<>();
        opened(s, transportId, request.sums()).forEach((p, v) -> sums.put(Identifier.of(p), v));
        Group group = s.suite.group();
        Element verifyingShare = group.deserializeElement(s.row.verifyingShare());
        Element groupKey = group.deserializeElement(s.row.groupKey());
        KeyPackage repaired =
            new Repair(s.suite)
                .step3(
                    sums,
                    Identifier.of(self),
                    PublicKeyPackage.of(
                        Map.of(Identifier.of(self), verifyingShare), groupKey, s.row.minSigners()));
        s.repaired =
            new SignerNode.KeyMaterial(
                s.row,
                s.suite,
                verifyingShare,
                groupKey,
                group.serializeScalar(repaired.signingShare()));
        log.info(
            "Repair {} of key {}: share rebuilt from helpers {} matches the verifying share",
            s.repairId,
            request.keyId(),
            s.helpers);
        return new RepairWire.Step3Response(self, WireCodec.hex(s.row.verifyingShare()));
      } catch (RuntimeException e) {
        if (e instanceof FrostException) {
          // The rebuilt share does not match: a helper sent a wrong value; nothing is kept.
          record(request.keyId(), s.repairId, "REFUSED", "repair refused: " + e.getMessage());
        }
        throw ended(request.keyId(), s, e, "step-3");
      }
    }
  }

  /** Round one of the test signature: the repaired share at the lost node, the own at a helper. */
  Wire.CommitResponse testCommit(RepairWire.TestCommit request) {
    Session s = session(request.keyId(), request.repairId());
    KeyPackage key = testKey(s, request.keyId());
    SigningNonces made = new Frost(s.suite).commit(key, random);
    String sessionId = UUID.randomUUID().toString();
    if (!testNonces.put(sessionId, testSession(request.keyId(), s.repairId), made)) {
      throw NodeProblems.busy("Too many open repair test sessions");
    }
    return new Wire.CommitResponse(sessionId, WireCodec.commitment(s.suite, made.commitments()));
  }

  /** Round two of the test signature: signs the repair's own test message only, and audits it. */
  Wire.SignResponse testSign(RepairWire.TestSign request) {
    NonceSessions.Session nonces =
        testNonces
            .take(request.sessionId())
            .orElseThrow(() -> NodeProblems.noncesUnavailable(request.sessionId()));
    try {
      Session s = session(request.keyId(), request.repairId());
      if (!nonces.keyId().equals(testSession(request.keyId(), s.repairId))) {
        throw NodeProblems.protocol(
            "session " + request.sessionId() + " is not this repair's test");
      }
      KeyPackage key = testKey(s, request.keyId());
      byte[] message = RepairWire.testMessage(request.keyId(), s.repairId);
      List<SigningCommitments> commitments = new ArrayList<>();
      for (Wire.Commitment c : request.commitments()) {
        commitments.add(WireCodec.commitment(s.suite, c));
      }
      SignatureShare share =
          new Frost(s.suite).sign(SigningPackage.of(commitments, message), nonces.nonces(), key);
      tx.executeWithoutResult(
          status ->
              audit.record(
                  request.keyId(),
                  s.repairId,
                  null,
                  sha256(message),
                  "SIGNED",
                  "repair-test " + s.repairId));
      synchronized (s) {
        s.tested = true;
      }
      if (s.helping()) {
        // A helper's part is over with its test share.
        end(request.keyId(), s);
      }
      return new Wire.SignResponse(
          s.row.participant(), WireCodec.hex(share.serialize(s.suite.group())));
    } catch (FrostException e) {
      throw NodeProblems.protocol(e.getMessage(), Map.of("reason", e.reason().name()));
    } catch (IllegalArgumentException e) {
      throw NodeProblems.protocol("bad repair test data: " + e.getMessage());
    } finally {
      nonces.nonces().destroy();
    }
  }

  /**
   * At the lost node, once the test signature verified at the coordinator: seals the repaired share
   * under the KEK in place of whatever unopenable row was left, audited in the same transaction.
   */
  RepairWire.Ended commit(RepairWire.End request) {
    Session s = session(request.keyId(), request.repairId());
    synchronized (s) {
      SignerNode.KeyMaterial repaired = s.repaired;
      if (s.helping() || repaired == null || !s.tested) {
        throw NodeProblems.protocol("no tested repaired share of " + request.keyId() + " here");
      }
      int self = s.row.participant();
      byte[] share = s.suite.group().serializeScalar(repaired.keyPackage().signingShare());
      tx.executeWithoutResult(
          status -> {
            vault.destroy(request.keyId(), self);
            vault.seal(request.keyId(), self, share);
            audit.record(
                request.keyId(),
                s.repairId,
                null,
                sha256(RepairWire.testMessage(request.keyId(), s.repairId)),
                REPAIRED,
                "repair " + s.repairId + " by helpers " + s.helpers);
          });
      end(request.keyId(), s);
      node.forget(request.keyId());
      log.info(
          "Repair {} of key {}: repaired share sealed under the KEK", s.repairId, request.keyId());
      return new RepairWire.Ended(self, true);
    }
  }

  /** Forgets the repair at this node; nothing of it was ever written except audit rows. */
  RepairWire.Ended abort(RepairWire.End request) {
    Session s = sessions.get(request.keyId());
    if (s != null && s.repairId.equals(request.repairId())) {
      synchronized (s) {
        end(request.keyId(), s);
      }
      log.info("Repair {} of key {} aborted here", request.repairId(), request.keyId());
    }
    return new RepairWire.Ended(properties.participant(), false);
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Ends the repair here after a failed step; the problem to answer with. */
  private RuntimeException ended(String keyId, Session s, RuntimeException e, String step) {
    end(keyId, s);
    if (e instanceof FrostException f) {
      return NodeProblems.protocol(f.getMessage(), Map.of("reason", f.reason().name()));
    }
    if (e instanceof IllegalArgumentException) {
      return NodeProblems.protocol("bad repair " + step + " data: " + e.getMessage());
    }
    return e;
  }

  private KeyPackage testKey(Session s, String keyId) {
    synchronized (s) {
      if (s.helping()) {
        if (!s.summed) {
          throw NodeProblems.protocol("this node has not helped repair " + s.repairId);
        }
        return node.keyMaterial(keyId).keyPackage();
      }
      SignerNode.KeyMaterial repaired = s.repaired;
      if (repaired == null) {
        throw NodeProblems.protocol("repair " + s.repairId + " has not rebuilt the share yet");
      }
      return repaired.keyPackage();
    }
  }

  /**
   * Opens each value sealed to this node, by sender; a value that does not open or is no scalar
   * names its sender, so that a tampered piece or sum is blamed, not just refused.
   */
  private static SortedMap<Integer, BigInteger> opened(
      Session s, String transportId, Map<Integer, String> sealed) {
    int self = s.row.participant();
    Group group = s.suite.group();
    SortedMap<Integer, BigInteger> values = new TreeMap<>();
    List<Integer> culprits = new ArrayList<>();
    for (var e : new TreeMap<>(sealed).entrySet()) {
      PublicKey peer = s.peerDh.get(e.getKey());
      if (peer == null) {
        culprits.add(e.getKey());
        continue;
      }
      byte[] plain = null;
      try {
        plain =
            ShareTransport.open(
                s.dh.getPrivate(),
                peer,
                ShareTransport.aad(transportId, e.getKey(), self),
                WireCodec.unhex(e.getValue()));
        values.put(e.getKey(), group.deserializeScalar(plain));
      } catch (IllegalArgumentException | FrostException bad) {
        culprits.add(e.getKey());
      } finally {
        if (plain != null) {
          Arrays.fill(plain, (byte) 0);
        }
      }
    }
    if (!culprits.isEmpty()) {
      throw NodeProblems.protocol(
          "repair values from " + culprits + " do not open or are not scalars",
          Map.of(
              "reason", FrostException.Reason.INVALID_SECRET_SHARE.name(), "culprits", culprits));
    }
    return values;
  }

  private boolean holdsValidShare(NodeKeys.NodeKey row, Ciphersuite suite) {
    Group group = suite.group();
    try {
      return vault.withShare(
          row.keyId(),
          row.participant(),
          share ->
              group
                  .multiplyBase(group.deserializeScalar(share))
                  .equals(group.deserializeElement(row.verifyingShare())));
    } catch (VaultException | IllegalArgumentException | FrostException e) {
      log.warn(
          "Share of key {} at participant {} is lost: {}",
          row.keyId(),
          row.participant(),
          e.getMessage());
      return false;
    }
  }

  private void record(String keyId, String repairId, String decision, String reason) {
    tx.executeWithoutResult(
        status ->
            audit.record(
                keyId,
                repairId,
                null,
                sha256(RepairWire.testMessage(keyId, repairId)),
                decision,
                reason));
  }

  private Session session(String keyId, String repairId) {
    Session s = sessions.get(keyId);
    if (s == null
        || !s.repairId.equals(repairId)
        || s.createdAt.plus(properties.dkgTtl()).isBefore(clock.instant())) {
      throw NodeProblems.protocol("no repair " + repairId + " in progress for " + keyId + " here");
    }
    return s;
  }

  private void end(String keyId, Session s) {
    sessions.remove(keyId, s);
    s.wipe();
  }

  private void expire() {
    Instant cutoff = clock.instant().minus(properties.dkgTtl());
    sessions.forEach(
        (keyId, s) -> {
          if (s.createdAt.isBefore(cutoff)) {
            end(keyId, s);
          }
        });
  }

  /** A body without signatures (JSON null) has none to check: every key in it is blamed. */
  private static Map<Integer, @Nullable String> signatures(
      @Nullable Map<Integer, String> signatures) {
    return signatures == null ? Map.of() : new TreeMap<>(signatures);
  }

  private static String transportId(Session s, String keyId) {
    return transportId(keyId, s.repairId);
  }

  private static String transportId(String keyId, String repairId) {
    // '#' cannot occur in a key, refresh or repair id, so this never equals a DKG's or a
    // refresh's transport id.
    return keyId + "#repair#" + repairId;
  }

  private static String testSession(String keyId, String repairId) {
    return keyId + "#repair/" + repairId;
  }

  private static List<Identifier> identifiers(List<Integer> ids) {
    return ids.stream().map(Identifier::of).toList();
  }

  private static byte[] sha256(byte[] m) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(m);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void checkId(String repairId) {
    if (!repairId.matches("[A-Za-z0-9_-]{1,64}")) {
      throw NodeProblems.protocol("repair id must be 1..64 of [A-Za-z0-9_-]");
    }
  }
}
