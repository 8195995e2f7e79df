package io.tpwallet.signing.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.common.problem.ProblemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signature that binds a transport key to its node, purpose, session and participant, and the
 * pinned roster it is checked against: what stops a relay from swapping in its own transport key.
 */
class TransportKeysTests {

  private static final HexFormat HEX = HexFormat.of();

  private record Node(int id, KeyPair identity, String dhPublic) {
    byte[] raw() {
      byte[] spki = identity.getPublic().getEncoded();
      return Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    }

    String sign(String purpose, String transportId, int participant, String dh) {
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(identity.getPrivate());
        s.update(TransportKeys.context(purpose, transportId, participant, dh));
        return HEX.formatHex(s.sign());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    String sign(String purpose, String transportId) {
      return sign(purpose, transportId, id, dhPublic);
    }
  }

  private static Node node(int id) {
    try {
      return new Node(
          id,
          KeyPairGenerator.getInstance("Ed25519").generateKeyPair(),
          HEX.formatHex(ShareTransport.newKeyPair().getPublic().getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private final Node n1 = node(1);
  private final Node n2 = node(2);
  private final Node n3 = node(3);
  private final PeerRoster.Roster roster =
      new PeerRoster.Roster(Map.of(1, n1.raw(), 2, n2.raw(), 3, n3.raw()));

  private static org.springframework.http.ProblemDetail problem(ProblemException e) {
    return e.toProblemDetail(null);
  }

  private static List<Integer> culprits(Runnable check) {
    try {
      check.run();
    } catch (ProblemException e) {
      Map<String, Object> props = problem(e).getProperties();
      assertThat(props).containsEntry("reason", TransportKeys.BAD_SIGNATURE);
      @SuppressWarnings("unchecked")
      List<Integer> culprits = (List<Integer>) props.get("culprits");
      return culprits;
    }
    throw new AssertionError("the transport keys were accepted");
  }

  @Test
  void keysSignedByTheirPinnedIdentitiesAreTheKeysToSealTo() {
    Map<Integer, PublicKey> keys =
        TransportKeys.verified(
            roster,
            TransportKeys.DKG,
            "key-1",
            Map.of(2, n2.dhPublic(), 3, n3.dhPublic()),
            Map.of(2, n2.sign("dkg", "key-1"), 3, n3.sign("dkg", "key-1")));
    assertThat(keys).containsOnlyKeys(2, 3);
    assertThat(HEX.formatHex(keys.get(2).getEncoded())).isEqualTo(n2.dhPublic());
  }

  @Test
  void aRelaysOwnKeyInPlaceOfANodesIsBlamedOnThatNode() {
    Node relay = node(2);
    String repair = "key-1#repair#r-1";
    // The relay keeps node 2's genuine signature but hands in its own transport key...
    assertThat(
            repairCulprits(
                Map.of(2, relay.dhPublic(), 3, n3.dhPublic()),
                Map.of(2, n2.sign("repair", repair), 3, n3.sign("repair", repair))))
        .containsExactly(2);
    // ...or signs its key with its own identity, which no node pinned as node 2's.
    assertThat(repairCulprits(Map.of(2, relay.dhPublic()), Map.of(2, relay.sign("repair", repair))))
        .containsExactly(2);
  }

  private List<Integer> repairCulprits(Map<Integer, String> dh, Map<Integer, String> sigs) {
    return culprits(
        () -> TransportKeys.verified(roster, TransportKeys.REPAIR, "key-1#repair#r-1", dh, sigs));
  }

  @Test
  void aSignatureHoldsOnlyForItsPurposeSessionAndParticipant() {
    String signed = n2.sign("refresh", "key-1#f-1");
    Map<Integer, String> dh = Map.of(2, n2.dhPublic());
    // As signed: accepted.
    assertThat(
            TransportKeys.verified(
                roster, TransportKeys.REFRESH, "key-1#f-1", dh, Map.of(2, signed)))
        .containsOnlyKeys(2);
    // Replayed into a repair, another refresh, another key, or as another participant's key.
    assertThat(
            culprits(
                () ->
                    TransportKeys.verified(
                        roster, TransportKeys.REPAIR, "key-1#f-1", dh, Map.of(2, signed))))
        .containsExactly(2);
    assertThat(
            culprits(
                () ->
                    TransportKeys.verified(
                        roster, TransportKeys.REFRESH, "key-1#f-2", dh, Map.of(2, signed))))
        .containsExactly(2);
    assertThat(
            culprits(
                () ->
                    TransportKeys.verified(
                        roster, TransportKeys.REFRESH, "key-2#f-1", dh, Map.of(2, signed))))
        .containsExactly(2);
    assertThat(
            culprits(
                () ->
                    TransportKeys.verified(
                        roster,
                        TransportKeys.REFRESH,
                        "key-1#f-1",
                        Map.of(3, n2.dhPublic()),
                        Map.of(3, signed))))
        .containsExactly(3);
  }

  @Test
  void missingOrMalformedSignaturesAreBlamedOnEverySender() {
    Map<Integer, String> sigs = new TreeMap<>();
    sigs.put(2, null);
    sigs.put(3, "not hex");
    assertThat(
            culprits(
                () ->
                    TransportKeys.verified(
                        roster,
                        TransportKeys.DKG,
                        "key-1",
                        Map.of(2, n2.dhPublic(), 3, n3.dhPublic()),
                        sigs)))
        .containsExactly(2, 3);
  }

  @Test
  void theRosterMustPinEveryParticipantAndThisNodeAsItself(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("roster");
    Files.writeString(
        file,
        "# three nodes\n1 "
            + HEX.formatHex(n1.raw())
            + "\n\n2 "
            + HEX.formatHex(n2.raw())
            + "  # two\n");
    Map<Integer, byte[]> pinned = PeerRoster.read(file);
    assertThat(pinned).containsOnlyKeys(1, 2);
    assertThat(PeerRoster.require(pinned, List.of(1, 2), 1, n1.raw()).identityOf(2))
        .isEqualTo(n2.raw());
    assertThatThrownBy(() -> PeerRoster.require(pinned, List.of(1, 2, 3), 1, n1.raw()))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> {
              assertThat(problem(e).getType()).isEqualTo(NodeProblems.PEER_UNKNOWN);
              assertThat(problem(e).getProperties()).containsEntry("participants", List.of(3));
            });
    // A roster that pins someone else's key for this node is not this deployment's.
    assertThatThrownBy(() -> PeerRoster.require(pinned, List.of(1, 2), 1, n3.raw()))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> assertThat(problem(e).getProperties()).containsEntry("participants", List.of(1)));
  }

  @Test
  void aRosterLineThatIsNotValidRefusesTheWholeFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("roster");
    for (String bad :
        List.of(
            "1 " + HEX.formatHex(n1.raw()) + "\n1 " + HEX.formatHex(n2.raw()) + "\n",
            "0 " + HEX.formatHex(n1.raw()) + "\n",
            "1 abcd\n",
            "1\n",
            "x " + HEX.formatHex(n1.raw()) + "\n")) {
      Files.writeString(file, bad);
      assertThatThrownBy(() -> PeerRoster.read(file))
          .as(bad)
          .isInstanceOfSatisfying(
              ProblemException.class,
              e -> assertThat(problem(e).getType()).isEqualTo(NodeProblems.PEER_UNKNOWN));
    }
  }
}
