package io.tpwallet.signing.frost;

import static io.tpwallet.signing.frost.Rfc9591VectorTests.hex;
import static io.tpwallet.signing.frost.Rfc9591VectorTests.load;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * ZF frost's DKG vectors: its proofs of knowledge must verify under our challenge, and from each
 * participant's polynomial our part 2 and part 3 must give ZF's secret shares, signing shares,
 * verifying shares and group key (for Taproot, the tweaked key) byte for byte.
 */
class ZfDkgVectorTests {

  static Stream<Arguments> vectors() {
    return Stream.of(
        Arguments.of("zf-ed25519-dkg-vectors.json", Ciphersuites.ED25519_SHA512),
        Arguments.of("zf-secp256k1-dkg-vectors.json", Ciphersuites.SECP256K1_SHA256),
        Arguments.of("zf-secp256k1-tr-dkg-vectors.json", Ciphersuites.SECP256K1_SHA256_TR));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("vectors")
  void ourDkgReproducesZfFrost(String file, Ciphersuite suite) throws IOException {
    JsonNode v = load(file);
    JsonNode inputs = v.get("inputs");
    Group group = suite.group();
    Dkg dkg = new Dkg(suite);
    int max = v.get("config").get("MAX_PARTICIPANTS").asInt();
    int min = v.get("config").get("MIN_PARTICIPANTS").asInt();

    Map<Identifier, Dkg.Round1Package> broadcasts = new TreeMap<>();
    for (int i = 1; i <= max; i++) {
      JsonNode p = inputs.get(Integer.toString(i));
      List<Element> commitment = new ArrayList<>();
      p.get("vss_commitments").forEach(c -> commitment.add(group.deserializeElement(hex(c))));
      Signature proof = suite.deserializeSignature(hex(p.get("proof_of_knowledge")));
      Dkg.Round1Package pkg = new Dkg.Round1Package(commitment, proof.r(), proof.z());
      dkg.verifyProofOfKnowledge(Identifier.of(i), pkg);
      broadcasts.put(Identifier.of(i), pkg);
    }

    for (int i = 1; i <= max; i++) {
      Identifier self = Identifier.of(i);
      JsonNode p = inputs.get(Integer.toString(i));
      List<BigInteger> poly =
          List.of(
              group.deserializeScalar(hex(p.get("signing_key"))),
              group.deserializeScalar(hex(p.get("coefficient"))));
      Dkg.Round1Secret secret = dkg.secretForVectors(self, poly, max, min);
      Map<Identifier, Dkg.Round1Package> others = new TreeMap<>(broadcasts);
      others.remove(self);
      Dkg.Round2 round2 = dkg.part2(secret, others);
      round2
          .outgoing()
          .forEach(
              (to, pkg) ->
                  assertThat(group.serializeScalar(pkg.signingShare()))
                      .as("share from %s to %s", self, to)
                      .isEqualTo(
                          hex(
                              inputs
                                  .get(to.toString())
                                  .get("signing_shares")
                                  .get(self.toString()))));

      Map<Identifier, Dkg.Round2Package> received = new TreeMap<>();
      for (Identifier from : others.keySet()) {
        // In ZF's file, a participant's "signing_shares" are those it received, keyed by sender.
        received.put(
            from,
            new Dkg.Round2Package(
                group.deserializeScalar(hex(p.get("signing_shares").get(from.toString())))));
      }
      Dkg.Result result = dkg.part3(round2.secret(), others, received);
      assertThat(group.serializeScalar(result.keyPackage().signingShare()))
          .as("signing share of %s", self)
          .isEqualTo(hex(p.get("signing_share")));
      assertThat(group.serializeElement(result.keyPackage().verifyingShare()))
          .as("verifying share of %s", self)
          .isEqualTo(hex(p.get("verifying_share")));
      assertThat(group.serializeElement(result.publicKeyPackage().verifyingKey()))
          .as("group key")
          .isEqualTo(hex(inputs.get("verifying_key")));
      for (int j = 1; j <= max; j++) {
        assertThat(
                group.serializeElement(
                    result.publicKeyPackage().verifyingShares().get(Identifier.of(j))))
            .isEqualTo(hex(inputs.get(Integer.toString(j)).get("verifying_share")));
      }
    }
  }
}
