package io.tpwallet.signing.node;

import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.signing.wire.WireCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The pinned identity keys of this node's peers, from the operator's roster file ({@code
 * tpw.signer.roster}, env {@code TPW_SIGNER_ROSTER}), never from the coordinator. The file is read
 * on every use, so that an operator can add a node without restarting the others. One line per
 * node: its participant id and its raw Ed25519 identity key in hex; {@code #} starts a comment.
 */
@Component
@Profile("signer")
class PeerRoster {

  static final int ROSTER_BYTES_MAX = 256 * 1024;

  private final SignerProperties properties;
  private final NodeIdentity identity;

  PeerRoster(SignerProperties properties, NodeIdentity identity) {
    this.properties = properties;
    this.identity = identity;
  }

  /** The identity keys of a session's participants, read from the roster file now. */
  record Roster(Map<Integer, byte[]> keys) {
    byte[] identityOf(int participant) {
      byte[] key = keys.get(participant);
      if (key == null) {
        throw new IllegalStateException("participant " + participant + " was checked in");
      }
      return key;
    }
  }

  /**
   * The roster, refused (409 {@code signing-peer-unknown}, nothing started) unless it pins every
   * one of {@code participants} and pins this node under its own identity key.
   */
  Roster require(Collection<Integer> participants) {
    String location = properties.roster();
    if (location == null || location.isBlank()) {
      throw refused(
          "No roster of peer identity keys is configured (tpw.signer.roster, TPW_SIGNER_ROSTER);"
              + " this node takes part in no DKG, refresh or repair without one.",
          List.of());
    }
    return require(
        read(Path.of(location)), participants, identity.participant(), identity.publicKey());
  }

  /** As {@link #require(Collection)}, over a roster already read, for node {@code self}. */
  static Roster require(
      Map<Integer, byte[]> pinned, Collection<Integer> participants, int self, byte[] ownKey) {
    List<Integer> missing =
        participants.stream().distinct().filter(p -> !pinned.containsKey(p)).sorted().toList();
    if (!missing.isEmpty()) {
      throw refused(
          "This node's roster pins no identity key for participants "
              + missing
              + ", so it cannot tell their transport keys from a relay's; it takes no part.",
          missing);
    }
    byte[] own = pinned.get(self);
    if (own != null && !Arrays.equals(own, ownKey)) {
      throw refused(
          "This node's roster pins another identity key for participant "
              + self
              + " (this node's has fingerprint "
              + NodeIdentity.fingerprint(ownKey)
              + "); the roster is stale or not this deployment's.",
          List.of(self));
    }
    return new Roster(pinned);
  }

  /** The roster file's pins by participant; a file that is not valid is refused whole. */
  static Map<Integer, byte[]> read(Path path) {
    List<String> lines;
    try {
      if (Files.size(path) > ROSTER_BYTES_MAX) {
        throw refused(
            "The roster " + path + " is larger than " + ROSTER_BYTES_MAX + " bytes.", List.of());
      }
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw refused("The roster " + path + " cannot be read: " + e.getMessage(), List.of());
    }
    Map<Integer, byte[]> pinned = new TreeMap<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      int comment = line.indexOf('#');
      if (comment >= 0) {
        line = line.substring(0, comment).strip();
      }
      if (line.isEmpty()) {
        continue;
      }
      String[] fields = line.split("\\s+");
      try {
        if (fields.length != 2) {
          throw new IllegalArgumentException("expected: <participant> <identity key hex>");
        }
        int participant = Integer.parseInt(fields[0]);
        byte[] key = WireCodec.unhex(fields[1]);
        if (participant < 1 || key.length != 32) {
          throw new IllegalArgumentException("a positive id and a 32-byte Ed25519 key");
        }
        if (pinned.put(participant, key) != null) {
          throw new IllegalArgumentException("participant " + participant + " is pinned twice");
        }
      } catch (IllegalArgumentException e) {
        throw refused(
            "Line " + (n + 1) + " of the roster " + path + " is not valid: " + e.getMessage(),
            List.of());
      }
    }
    return pinned;
  }

  private static ProblemException refused(String detail, List<Integer> participants) {
    return NodeProblems.peerUnknown(detail, participants);
  }
}
