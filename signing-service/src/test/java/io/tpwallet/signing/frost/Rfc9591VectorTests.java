package io.tpwallet.signing.frost;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The published vectors (RFC 9591 Appendix E for Ed25519 and secp256k1, ZF frost-secp256k1-tr for
 * Taproot): every intermediate value must come out byte for byte.
 */
class Rfc9591VectorTests {

  private static final HexFormat HEX = HexFormat.of();

  static Stream<Arguments> vectors() {
    return Stream.of(
        Arguments.of("frost-ed25519-sha512.json", Ciphersuites.ED25519_SHA512),
        Arguments.of("frost-secp256k1-sha256.json", Ciphersuites.SECP256K1_SHA256),
        Arguments.of("zf-secp256k1-tr-vectors.json", Ciphersuites.SECP256K1_SHA256_TR));
  }

  static JsonNode load(String file) throws IOException {
    try (InputStream in = Rfc9591VectorTests.class.getResourceAsStream("/vectors/" + file)) {
      assertThat(in).as("test resource /vectors/" + file).isNotNull();
      return JsonMapper.builder().build().readTree(in);
    }
  }

  static byte[] hex(JsonNode node) {
    return HEX.parseHex(node.asString());
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("vectors")
  void everyIntermediateValueMatchesTheVector(String file, Ciphersuite suite) throws IOException {
    JsonNode v = load(file);
    JsonNode inputs = v.get("inputs");
    Group group = suite.group();
    Frost frost = new Frost(suite);

    // Key generation with the vector's polynomial.
    BigInteger secret = group.deserializeScalar(hex(inputs.get("group_secret_key")));
    List<BigInteger> coefficients = new ArrayList<>();
    inputs
        .get("share_polynomial_coefficients")
        .forEach(c -> coefficients.add(group.deserializeScalar(hex(c))));
    int maxSigners = Integer.parseInt(v.get("config").get("MAX_PARTICIPANTS").asString());
    int minSigners = Integer.parseInt(v.get("config").get("MIN_PARTICIPANTS").asString());
    TrustedDealer.DealtKeys keys =
        TrustedDealer.split(suite, secret, coefficients, maxSigners, minSigners);
    JsonNode groupKey =
        inputs.has("group_public_key")
            ? inputs.get("group_public_key")
            : inputs.get("verifying_key_key");
    assertThat(group.serializeElement(keys.publicKeyPackage().verifyingKey()))
        .as("group public key")
        .isEqualTo(hex(groupKey));
    for (JsonNode share : inputs.get("participant_shares")) {
      Identifier id = Identifier.of(share.get("identifier").asInt());
      assertThat(group.serializeScalar(keys.keyPackages().get(id).signingShare()))
          .as("share of participant " + id)
          .isEqualTo(hex(share.get("participant_share")));
      assertThat(TrustedDealer.verifyShare(group, keys.keyPackages().get(id), keys.commitment()))
          .isTrue();
    }

    // Round one from the vector's randomness.
    Map<Identifier, SigningNonces> nonces = new LinkedHashMap<>();
    List<SigningCommitments> commitments = new ArrayList<>();
    for (JsonNode out : v.get("round_one_outputs").get("outputs")) {
      Identifier id = Identifier.of(out.get("identifier").asInt());
      SigningNonces n =
          frost.commitWithRandomness(
              id,
              keys.keyPackages().get(id).signingShare(),
              hex(out.get("hiding_nonce_randomness")),
              hex(out.get("binding_nonce_randomness")));
      BigInteger[] de = Frost.peekNoncesForVectors(n);
      assertThat(group.serializeScalar(de[0]))
          .as("hiding nonce " + id)
          .isEqualTo(hex(out.get("hiding_nonce")));
      assertThat(group.serializeScalar(de[1]))
          .as("binding nonce " + id)
          .isEqualTo(hex(out.get("binding_nonce")));
      assertThat(group.serializeElement(n.commitments().hiding()))
          .as("hiding commitment " + id)
          .isEqualTo(hex(out.get("hiding_nonce_commitment")));
      assertThat(group.serializeElement(n.commitments().binding()))
          .as("binding commitment " + id)
          .isEqualTo(hex(out.get("binding_nonce_commitment")));
      nonces.put(id, n);
      commitments.add(n.commitments());
    }
    SigningPackage pkg = SigningPackage.of(commitments, hex(inputs.get("message")));

    // Binding factors.
    Map<Identifier, byte[]> inputsById =
        frost.bindingFactorInputs(pkg, keys.publicKeyPackage().verifyingKey());
    Map<Identifier, BigInteger> factors =
        frost.bindingFactors(pkg, keys.publicKeyPackage().verifyingKey());
    for (JsonNode out : v.get("round_one_outputs").get("outputs")) {
      Identifier id = Identifier.of(out.get("identifier").asInt());
      assertThat(inputsById.get(id))
          .as("binding factor input " + id)
          .isEqualTo(hex(out.get("binding_factor_input")));
      assertThat(group.serializeScalar(factors.get(id)))
          .as("binding factor " + id)
          .isEqualTo(hex(out.get("binding_factor")));
    }

    // Round two.
    Map<Identifier, SignatureShare> shares = new LinkedHashMap<>();
    for (JsonNode out : v.get("round_two_outputs").get("outputs")) {
      Identifier id = Identifier.of(out.get("identifier").asInt());
      SignatureShare share = frost.sign(pkg, nonces.get(id), keys.keyPackages().get(id));
      assertThat(share.serialize(group))
          .as("signature share " + id)
          .isEqualTo(hex(out.get("sig_share")));
      frost.verifySignatureShare(
          share,
          keys.publicKeyPackage().verifyingShares().get(id),
          pkg,
          keys.publicKeyPackage().verifyingKey());
      shares.put(id, share);
    }

    // Aggregation.
    Signature signature = frost.aggregate(pkg, shares, keys.publicKeyPackage());
    byte[] encoded = suite.serializeSignature(signature);
    assertThat(encoded).as("signature").isEqualTo(hex(v.get("final_output").get("sig")));
    assertThat(frost.verify(pkg.message(), encoded, keys.publicKeyPackage().verifyingKey()))
        .isTrue();
    assertThat(
            IndependentVerifiers.verify(
                suite, keys.publicKeyPackage().verifyingKey(), pkg.message(), encoded))
        .as("independent verifier")
        .isTrue();
  }
}
