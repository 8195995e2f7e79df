package io.tpwallet.signing.coordinator;

import io.tpwallet.signing.frost.Ciphersuite;
import io.tpwallet.signing.frost.Frost;
import io.tpwallet.signing.frost.Identifier;
import io.tpwallet.signing.frost.PublicKeyPackage;
import io.tpwallet.signing.frost.SignatureShare;
import io.tpwallet.signing.frost.SigningCommitments;
import io.tpwallet.signing.frost.SigningPackage;
import io.tpwallet.signing.wire.Wire;
import io.tpwallet.signing.wire.WireCodec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What the multi-node protocols (refresh, repair) share at the coordinator: routing sealed values
 * to their receiver, and checking a test signature the nodes made.
 */
final class Relay {

  private Relay() {}

  /** From each sender's answer, the value it sealed to {@code receiver}, by sender. */
  static <T> Map<Integer, String> sealedTo(
      int receiver, Map<Integer, T> answers, Function<T, Map<Integer, String>> sealed) {
    Map<Integer, String> toReceiver = new TreeMap<>();
    answers.forEach(
        (from, answer) -> {
          if (from != receiver) {
            toReceiver.put(from, sealed.apply(answer).get(receiver));
          }
        });
    return toReceiver;
  }

  /**
   * Aggregates the nodes' test-signature shares over {@code message} and verifies the signature
   * under {@code keys}; a FrostException names a node whose share is wrong.
   */
  static void verifyTestSignature(
      Ciphersuite suite,
      List<Wire.Commitment> commitments,
      Map<Integer, Wire.SignResponse> signed,
      byte[] message,
      PublicKeyPackage keys) {
    Map<Identifier, SignatureShare> shares = new TreeMap<>();
    signed.forEach(
        (p, r) ->
            shares.put(
                Identifier.of(p),
                SignatureShare.deserialize(
                    suite.group(), Identifier.of(p), WireCodec.unhex(r.share()))));
    List<SigningCommitments> decoded =
        commitments.stream().map(c -> WireCodec.commitment(suite, c)).toList();
    new Frost(suite).aggregate(SigningPackage.sorted(decoded, message), shares, keys);
  }
}
