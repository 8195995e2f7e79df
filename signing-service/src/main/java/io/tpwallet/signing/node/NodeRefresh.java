package io.tpwallet.signing.node;

import io.tpwallet.signing.frost.Ciphersuite;
import io.tpwallet.signing.frost.Ciphersuites;
import io.tpwallet.signing.frost.Dkg;
import io.tpwallet.signing.frost.DkgEcho;
import io.tpwallet.signing.frost.Element;
import io.tpwallet.signing.frost.FrostException;
import io.tpwallet.signing.frost.Group;
import io.tpwallet.signing.frost.Identifier;
import io.tpwallet.signing.frost.KeyPackage;
import io.tpwallet.signing.frost.PublicKeyPackage;
import io.tpwallet.signing.frost.RandomSource;
import io.tpwallet.signing.frost.Refresh;
import io.tpwallet.signing.vault.ShareVault;
import io.tpwallet.signing.wire.Wire;
import io.tpwallet.signing.wire.WireCodec;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One node's side of a proactive share refresh: new shares of the same key, made like a DKG with
 * zero-constant polynomials. The new share is sealed as <em>pending</em> next to the active one and
 * signs nothing but the refresh's own test message; only the coordinator's commit, after a test
 * signature with every node's new share verified, destroys the old share. An abort, an expiry or a
 * failure anywhere before that leaves the old share active.
 */
@Service
@Profile("signer")
class NodeRefresh {

  private static final Logger log = LoggerFactory.getLogger(NodeRefresh.class);
  static final String PENDING_SUFFIX = "#refresh";

  /** A refresh in progress at this node, in memory only. */
  private static final class Session {
    final String refreshId;
    final Ciphersuite suite;
    final int self;
    final List<Integer> participants;
    final KeyPair dh;
    final PeerRoster.Roster roster;
    final Instant createdAt;
    final Refresh.Round1 round1;
    Refresh.@Nullable Round2Secret round2;
    Map<Identifier, Refresh.Round1Package> received = Map.of();
    Map<Integer, PublicKey> peerDh = Map.of();
    byte[] echo = new byte[0];

    Session(
        String refreshId,
        Ciphersuite suite,
        int self,
        List<Integer> participants,
        KeyPair dh,
        PeerRoster.Roster roster,
        Instant createdAt,
        Refresh.Round1 round1) {
      this.refreshId = refreshId;
      this.suite = suite;
      this.self = self;
      this.participants = participants;
      this.dh = dh;
      this.roster = roster;
      this.createdAt = createdAt;
      this.round1 = round1;
    }
  }

  private final SignerProperties properties;
  private final ShareVault vault;
  private final NodeKeys keys;
  private final NodeIdentity identity;
  private final PeerRoster rosters;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final RandomSource random = RandomSource.secure();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, SignerNode.KeyMaterial> pending = new ConcurrentHashMap<>();

  NodeRefresh(
      SignerProperties properties,
      ShareVault vault,
      NodeKeys keys,
      NodeIdentity identity,
      PeerRoster rosters,
      PlatformTransactionManager transactions,
      Clock clock) {
    this.properties = properties;
    this.vault = vault;
    this.keys = keys;
    this.identity = identity;
    this.rosters = rosters;
    this.tx = new TransactionTemplate(transactions);
    this.clock = clock;
  }

  Wire.RefreshRound1 round1(Wire.RefreshRound1Request request, NodeKeys.NodeKey key) {
    int self = key.participant();
    List<Integer> participants = new ArrayList<>(new TreeSet<>(request.participants()));
    if (participants.size() != request.participants().size()
        || participants.size() != key.maxSigners()
        || !participants.contains(self)
        || participants.get(0) < 1) {
      throw NodeProblems.protocol(
          "a refresh needs all "
              + key.maxSigners()
              + " participants of the key, this one included");
    }
    checkRefreshId(request.refreshId());
    PeerRoster.Roster roster = rosters.require(participants);
    expire();
    Ciphersuite suite = Ciphersuites.byId(key.suite());
    Refresh.Round1 round1;
    try {
      round1 =
          new Refresh(suite)
              .part1(Identifier.of(self), participants.size(), key.minSigners(), random);
    } catch (FrostException e) {
      throw NodeProblems.protocol(e.getMessage());
    }
    KeyPair dh = ShareTransport.newKeyPair();
    var session =
        new Session(
            request.refreshId(), suite, self, participants, dh, roster, clock.instant(), round1);
    // A new refresh replaces one left over: only one generation is ever pending per key.
    sessions.put(key.keyId(), session);
    Group group = suite.group();
    String dhPublic = WireCodec.hex(dh.getPublic().getEncoded());
    return new Wire.RefreshRound1(
        round1.broadcast().commitment().stream().map(c -> WireCodec.element(group, c)).toList(),
        dhPublic,
        identity.signTransportKey(
            TransportKeys.REFRESH, transportId(key.keyId(), request.refreshId()), dhPublic));
  }

  Wire.DkgRound2Response round2(Wire.RefreshRound2Request request) {
    Session s = session(request.keyId(), request.refreshId());
    synchronized (s) {
      if (s.round2 != null) {
        sessions.remove(request.keyId());
        throw NodeProblems.protocol("refresh round two was already run");
      }
      try {
        Group group = s.suite.group();
        Set<Integer> expected = new TreeSet<>(s.participants);
        expected.remove(s.self);
        if (!request.round1().keySet().equals(expected)) {
          throw NodeProblems.protocol("round-one packages must come from exactly " + expected);
        }
        Map<Identifier, Refresh.Round1Package> received = new TreeMap<>();
        Map<Integer, String> dhPublics = new TreeMap<>();
        Map<Integer, @Nullable String> dhSignatures = new TreeMap<>();
        for (var e : request.round1().entrySet()) {
          received.put(
              Identifier.of(e.getKey()),
              new Refresh.Round1Package(
                  e.getValue().commitment().stream()
                      .map(c -> WireCodec.element(group, c))
                      .toList()));
          dhPublics.put(e.getKey(), e.getValue().dhPublic());
          dhSignatures.put(e.getKey(), e.getValue().dhSignature());
        }
        // Nothing is sealed to a transport key its owner's pinned identity did not sign.
        Map<Integer, PublicKey> peerDh =
            TransportKeys.verified(
                s.roster, TransportKeys.REFRESH, transportId(request), dhPublics, dhSignatures);
        Refresh.Round2 round2 = new Refresh(s.suite).part2(s.round1.secret(), received);
        s.echo = echo(s, received, peerDh);
        Map<Integer, String> sealed =
            ShareTransport.sealAll(
                group, s.dh, peerDh, transportId(request), s.self, round2.outgoing());
        s.round2 = round2.secret();
        s.received = received;
        s.peerDh = peerDh;
        return new Wire.DkgRound2Response(WireCodec.hex(s.echo), sealed);
      } catch (FrostException e) {
        sessions.remove(request.keyId());
        throw NodeProblems.protocol(e.getMessage());
      } catch (RuntimeException e) {
        sessions.remove(request.keyId());
        throw e instanceof IllegalArgumentException
            ? NodeProblems.protocol("bad refresh round-one data: " + e.getMessage())
            : e;
      }
    }
  }

  /**
   * Verifies the refreshing shares, computes the new share and seals it as pending; the active
   * share is untouched. {@code active} is the node's current key package.
   */
  Wire.DkgFinishResponse finish(
      Wire.RefreshFinishRequest request, NodeKeys.NodeKey key, KeyPackage active) {
    Session s = session(request.keyId(), request.refreshId());
    sessions.remove(request.keyId());
    synchronized (s) {
      Refresh.Round2Secret round2 = s.round2;
      if (round2 == null) {
        throw NodeProblems.protocol("refresh round two has not run");
      }
      try {
        Group group = s.suite.group();
        Map<Identifier, byte[]> peerEchoes = new TreeMap<>();
        request
            .echoes()
            .forEach(
                (p, e) -> {
                  if (p != s.self) {
                    peerEchoes.put(Identifier.of(p), WireCodec.unhex(e));
                  }
                });
        if (peerEchoes.size() != s.participants.size() - 1) {
          throw NodeProblems.protocol("an echo digest from every other participant is required");
        }
        DkgEcho.verify(s.echo, peerEchoes);
        if (!request.sealedShares().keySet().equals(s.peerDh.keySet())) {
          throw NodeProblems.protocol("a refreshing share from every other participant is needed");
        }
        Map<Identifier, Element> verifying = new TreeMap<>();
        request
            .verifyingShares()
            .forEach((p, v) -> verifying.put(Identifier.of(p), WireCodec.element(group, v)));
        if (!verifying.keySet().equals(new TreeSet<>(identifiers(s.participants)))
            || !verifying.get(Identifier.of(s.self)).equals(active.verifyingShare())) {
          throw NodeProblems.protocol(
              "the verifying shares sent do not match the key's participants or this node's own");
        }
        Map<Identifier, Dkg.Round2Package> shares =
            ShareTransport.openAll(
                group, s.dh, s.peerDh, transportId(request), s.self, request.sealedShares());
        Dkg.Result result =
            new Refresh(s.suite)
                .part3(
                    round2,
                    s.received,
                    shares,
                    active,
                    PublicKeyPackage.of(verifying, active.verifyingKey(), active.minSigners()));
        KeyPackage fresh = result.keyPackage();
        byte[] verifyingShare = group.serializeElement(fresh.verifyingShare());
        String pendingId = request.keyId() + PENDING_SUFFIX;
        tx.executeWithoutResult(
            status -> {
              keys.deletePending(request.keyId());
              vault.destroy(pendingId, s.self);
              keys.insertPending(request.keyId(), request.refreshId(), verifyingShare);
              vault.seal(pendingId, s.self, group.serializeScalar(fresh.signingShare()));
            });
        forgetPending(request.keyId());
        log.info("Refresh {} of key {}: new share pending", request.refreshId(), request.keyId());
        return new Wire.DkgFinishResponse(
            s.self,
            WireCodec.hex(group.serializeElement(fresh.verifyingKey())),
            WireCodec.hex(verifyingShare));
      } catch (FrostException e) {
        throw NodeProblems.protocol(e.getMessage());
      } catch (IllegalArgumentException e) {
        throw NodeProblems.protocol("bad refresh data: " + e.getMessage());
      }
    }
  }

  /** The pending share's material for the refresh's test signature, opened once. */
  SignerNode.KeyMaterial pendingMaterial(NodeKeys.NodeKey key, String refreshId) {
    NodeKeys.Pending p =
        keys.pending(key.keyId())
            .filter(x -> x.refreshId().equals(refreshId))
            .orElseThrow(() -> NodeProblems.protocol("no pending refresh " + refreshId));
    return pending.computeIfAbsent(
        key.keyId(),
        id -> {
          Ciphersuite suite = Ciphersuites.byId(key.suite());
          return new SignerNode.KeyMaterial(
              key,
              suite,
              suite.group().deserializeElement(p.verifyingShare()),
              suite.group().deserializeElement(key.groupKey()),
              vault.withShare(id + PENDING_SUFFIX, key.participant(), byte[]::clone));
        });
  }

  void markTested(String keyId, String refreshId) {
    keys.markTested(keyId, refreshId);
  }

  /**
   * Makes the pending share active and destroys the old one, in one transaction; only once the test
   * signature with it succeeded here. Returns false where there is no such tested refresh.
   */
  boolean commit(NodeKeys.NodeKey key, String refreshId) {
    NodeKeys.Pending p = keys.pending(key.keyId()).orElse(null);
    if (p == null || !p.refreshId().equals(refreshId) || !p.tested()) {
      return false;
    }
    String pendingId = key.keyId() + PENDING_SUFFIX;
    tx.executeWithoutResult(
        status ->
            vault.withShare(
                pendingId,
                key.participant(),
                share -> {
                  vault.destroy(key.keyId(), key.participant());
                  vault.seal(key.keyId(), key.participant(), share.clone());
                  vault.destroy(pendingId, key.participant());
                  keys.deletePending(key.keyId());
                  keys.activate(key.keyId(), refreshId, p.verifyingShare());
                  return null;
                }));
    forgetPending(key.keyId());
    log.info("Refresh {} of key {}: new share active, old share destroyed", refreshId, key.keyId());
    return true;
  }

  /** Drops a pending share (and any refresh in progress) of the key; the active one stays. */
  void abort(String keyId, String refreshId) {
    Session s = sessions.get(keyId);
    if (s != null && s.refreshId.equals(refreshId)) {
      sessions.remove(keyId);
    }
    NodeKeys.NodeKey key = keys.find(keyId).orElse(null);
    NodeKeys.Pending p = keys.pending(keyId).orElse(null);
    if (key != null && p != null && p.refreshId().equals(refreshId)) {
      tx.executeWithoutResult(
          status -> {
            vault.destroy(keyId + PENDING_SUFFIX, key.participant());
            keys.deletePending(keyId);
          });
      forgetPending(keyId);
      log.info("Refresh {} of key {} aborted; the active share stays", refreshId, keyId);
    }
  }

  private void forgetPending(String keyId) {
    SignerNode.KeyMaterial gone = pending.remove(keyId);
    if (gone != null) {
      gone.wipe();
    }
  }

  private Session session(String keyId, String refreshId) {
    Session s = sessions.get(keyId);
    if (s == null
        || !s.refreshId.equals(refreshId)
        || s.createdAt.plus(properties.dkgTtl()).isBefore(clock.instant())) {
      throw NodeProblems.protocol("no refresh " + refreshId + " in progress for " + keyId);
    }
    return s;
  }

  private void expire() {
    Instant cutoff = clock.instant().minus(properties.dkgTtl());
    sessions.values().removeIf(s -> s.createdAt.isBefore(cutoff));
  }

  private static String transportId(Wire.RefreshRound2Request r) {
    return transportId(r.keyId(), r.refreshId());
  }

  private static String transportId(Wire.RefreshFinishRequest r) {
    return transportId(r.keyId(), r.refreshId());
  }

  private static String transportId(String keyId, String refreshId) {
    return keyId + "#" + refreshId;
  }

  private static List<Identifier> identifiers(List<Integer> ids) {
    return ids.stream().map(Identifier::of).toList();
  }

  /** The echo over every refresh round-one commitment and transport key, as seen here. */
  private static byte[] echo(
      Session s, Map<Identifier, Refresh.Round1Package> received, Map<Integer, PublicKey> peerDh) {
    try {
      var sha = java.security.MessageDigest.getInstance("SHA-256");
      Map<Identifier, Refresh.Round1Package> all = new TreeMap<>(received);
      all.put(Identifier.of(s.self), s.round1.broadcast());
      Group group = s.suite.group();
      sha.update("tpw-refresh-echo-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      sha.update(s.refreshId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      all.forEach(
          (id, pkg) -> {
            sha.update(id.serialize(group));
            pkg.commitment().forEach(c -> sha.update(group.serializeElement(c)));
          });
      Map<Integer, PublicKey> dh = new TreeMap<>(peerDh);
      dh.put(s.self, s.dh.getPublic());
      dh.forEach(
          (id, k) -> {
            sha.update(java.math.BigInteger.valueOf(id).toByteArray());
            sha.update(k.getEncoded());
          });
      return sha.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void checkRefreshId(String refreshId) {
    if (!refreshId.matches("[A-Za-z0-9_-]{1,64}")) {
      throw NodeProblems.protocol("refresh id must be 1..64 of [A-Za-z0-9_-]");
    }
  }
}
