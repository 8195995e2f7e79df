package io.tpwallet.signing.node;

import io.tpwallet.signing.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What an identity key signs about a transport key, and the check a receiver makes before sealing
 * anything to it: the signature binds the X25519 key to its purpose (dkg, refresh, repair), the
 * session (key id, refresh or repair id) and the participant, so that a relay can neither swap it
 * for its own nor replay it into another session or for another participant.
 */
final class TransportKeys {

  static final String DKG = "dkg";
  static final String REFRESH = "refresh";
  static final String REPAIR = "repair";
  private static final String DOMAIN = "tpw-transport-key-v1";

  /** The reason a node gives (with the culprits) when a transport key's signature fails. */
  static final String BAD_SIGNATURE = "INVALID_TRANSPORT_KEY_SIGNATURE";

  private TransportKeys() {}

  static byte[] context(String purpose, String transportId, int participant, String dhPublicHex) {
    return (DOMAIN + "\n" + purpose + "\n" + transportId + "\n" + participant + "\n" + dhPublicHex)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A malformed key or signature counts as not verifying (the JDK may throw for either). */
  static boolean verifies(byte[] rawIdentity, byte[] message, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(SigningPolicy.ed25519PublicKey(rawIdentity));
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Each peer's transport key as a JDK key, once its signature verified under that peer's pinned
   * identity; otherwise a protocol problem naming every peer whose key did not verify (a missing
   * signature included), and nothing is returned to seal to.
   */
  static Map<Integer, PublicKey> verified(
      PeerRoster.Roster roster,
      String purpose,
      String transportId,
      Map<Integer, String> dhPublics,
      Map<Integer, @Nullable String> signatures) {
    Map<Integer, PublicKey> keys = new TreeMap<>();
    List<Integer> culprits = new ArrayList<>();
    for (var e : new TreeMap<>(dhPublics).entrySet()) {
      int peer = e.getKey();
      String signature = signatures.get(peer);
      byte[] identity = roster.identityOf(peer);
      try {
        if (signature != null
            && verifies(
                identity,
                context(purpose, transportId, peer, e.getValue()),
                WireCodec.unhex(signature))) {
          keys.put(peer, ShareTransport.decodePublic(WireCodec.unhex(e.getValue())));
          continue;
        }
      } catch (IllegalArgumentException malformed) {
        // Falls through to blame: a key or signature that is not even hex is as bad as a forgery.
      }
      culprits.add(peer);
    }
    if (!culprits.isEmpty()) {
      throw NodeProblems.protocol(
          "the transport keys of "
              + culprits
              + " are not signed by their pinned identity keys; nothing was sealed to them",
          Map.of("reason", BAD_SIGNATURE, "culprits", culprits));
    }
    return keys;
  }
}
