package io.tpwallet.localstack;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.BIP340Signer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The signing part of ./tpw demo: a 2-of-3 key made by DKG among the three signer nodes for each
 * chain (Solana's Ed25519 and Bitcoin's Taproot), a payout signed by two of them, and each
 * signature checked with a verifier nobody here wrote (the JDK's Ed25519, BouncyCastle's BIP-340
 * signer under the x-only output key). A payout above the key's limit must be refused by the nodes.
 *
 * <p>Usage: {@code SigningDemo [coordinatorUrl]} (or {@code TPW_SIGNING_URL}, default {@code
 * http://127.0.0.1:8085}; the coordinator is internal, not routed by the gateway). Exits 0 only
 * when every check holds.
 */
public final class SigningDemo {

  static final String COORDINATOR_URL_DEFAULT = "http://127.0.0.1:8085";
  // DKG among three nodes on a loaded two-core machine: generous, the demo is not a benchmark.
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  static final int THRESHOLD = 2;
  static final List<Integer> NODES = List.of(1, 2, 3);
  static final String PAYOUT_AMOUNT = "250000";
  static final String PER_TRANSACTION_MAX = "1000000";
  static final String PER_DAY_MAX = "5000000";
  static final String OVER_LIMIT_AMOUNT = "1000001";
  static final int ED25519_KEY_BYTES = 32;

  /** One chain the demo signs for. */
  record Chain(String suite, String asset, String destination) {}

  static final List<Chain> CHAINS =
      List.of(
          new Chain("ed25519", "SOL", "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV"),
          new Chain(
              "secp256k1-tr",
              "BTC",
              "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"));

  private final URI coordinator;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final JsonMapper json = JsonMapper.builder().build();
  private final List<String> differences = new ArrayList<>();

  SigningDemo(URI coordinator) {
    this.coordinator = coordinator;
  }

  public static void main(String[] args) {
    String url =
        args.length > 0
            ? args[0]
            : System.getenv().getOrDefault("TPW_SIGNING_URL", COORDINATOR_URL_DEFAULT);
    System.exit(new SigningDemo(URI.create(url.replaceAll("/+$", ""))).run());
  }

  int run() {
    System.out.printf(
        "%nThreshold signing against %s: %d-of-%d keys by DKG among signer nodes %s%n",
        coordinator, THRESHOLD, NODES.size(), NODES);
    for (Chain chain : CHAINS) {
      try {
        demo(chain);
      } catch (DemoStepFailed e) {
        differences.add(chain.suite() + ": " + e.getMessage());
      }
    }
    if (differences.isEmpty()) {
      System.out.println("signing: every signature verified by an independent verifier");
      return 0;
    }
    System.out.println("signing: DIFFERENCES");
    differences.forEach(d -> System.out.println("  - " + d));
    return 1;
  }

  private void demo(Chain chain) {
    long started = System.nanoTime();
    ObjectNode policy = json.createObjectNode();
    policy.put("asset", chain.asset());
    policy.put("perTransactionMax", new BigInteger(PER_TRANSACTION_MAX));
    policy.put("perDayMax", new BigInteger(PER_DAY_MAX));
    policy.putArray("destinations").add(chain.destination());
    ObjectNode create = json.createObjectNode();
    create.put("suite", chain.suite());
    create.put("threshold", THRESHOLD);
    NODES.forEach(create.putArray("nodes")::add);
    create.set("policy", policy);
    JsonNode key = call("POST", "/v1/signing/keys", create, 201);
    String keyId = key.path("keyId").asString();
    System.out.printf(
        "  %-13s key %s made by DKG in %d ms, address %s%n",
        chain.suite(),
        keyId,
        (System.nanoTime() - started) / 1_000_000,
        key.path("address").asString());

    // A payout: the message the chain would sign. Taproot signs a 32-byte sighash; the demo uses
    // the SHA-256 of the payout's description as that digest.
    String payout =
        "payout "
            + UUID.randomUUID()
            + " of "
            + PAYOUT_AMOUNT
            + " "
            + chain.asset()
            + " to "
            + chain.destination();
    byte[] message = sha256(payout.getBytes(StandardCharsets.UTF_8));
    started = System.nanoTime();
    JsonNode signed =
        call(
            "POST",
            "/v1/signing/keys/" + keyId + "/signatures",
            signRequest(message, chain, PAYOUT_AMOUNT),
            200);
    byte[] signature = HexFormat.of().parseHex(signed.path("signature").asString());
    byte[] publicKey = HexFormat.of().parseHex(key.path("publicKey").asString());
    boolean verified =
        chain.suite().equals("ed25519")
            ? jdkEd25519(publicKey, message, signature)
            : bip340(Arrays.copyOfRange(publicKey, 1, publicKey.length), message, signature);
    System.out.printf(
        "  %-13s payout of %s signed by nodes %s in %d ms; %s: %s%n",
        chain.suite(),
        PAYOUT_AMOUNT,
        signed.path("signers"),
        (System.nanoTime() - started) / 1_000_000,
        chain.suite().equals("ed25519") ? "JDK Ed25519 verify" : "BouncyCastle BIP340Signer verify",
        verified ? "valid" : "INVALID");
    if (!verified) {
      throw new DemoStepFailed("the payout signature does not verify");
    }
    byte[] tampered = message.clone();
    tampered[0] ^= 1;
    boolean tamperedAccepted =
        chain.suite().equals("ed25519")
            ? jdkEd25519(publicKey, tampered, signature)
            : bip340(Arrays.copyOfRange(publicKey, 1, publicKey.length), tampered, signature);
    if (tamperedAccepted) {
      throw new DemoStepFailed("the signature also verifies for another message");
    }

    JsonNode refused =
        call(
            "POST",
            "/v1/signing/keys/" + keyId + "/signatures",
            signRequest(sha256(tampered), chain, OVER_LIMIT_AMOUNT),
            403);
    System.out.printf(
        "  %-13s payout of %s refused by node %s: %s%n",
        chain.suite(), OVER_LIMIT_AMOUNT, refused.path("node"), refused.path("reason").asString());
    if (!"per-transaction-limit".equals(refused.path("reason").asString())) {
      throw new DemoStepFailed("expected reason per-transaction-limit, got " + refused);
    }
  }

  private ObjectNode signRequest(byte[] message, Chain chain, String amount) {
    ObjectNode request = json.createObjectNode();
    request.put("message", HexFormat.of().formatHex(message));
    ObjectNode context = request.putObject("context");
    context.put("requestId", UUID.randomUUID().toString());
    context.put("asset", chain.asset());
    context.put("amount", new BigInteger(amount));
    context.put("destination", chain.destination());
    return request;
  }

  private JsonNode call(String method, String path, JsonNode body, int expectedStatus) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(coordinator + path))
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", "application/json, application/problem+json")
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new DemoStepFailed(method + " " + path + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoStepFailed(method + " " + path + " interrupted");
    }
    if (response.statusCode() != expectedStatus) {
      throw new DemoStepFailed(
          String.format(
              "%s %s answered %d, expected %d: %s",
              method, path, response.statusCode(), expectedStatus, response.body()));
    }
    try {
      return json.readTree(response.body());
    } catch (JacksonException e) {
      throw new DemoStepFailed(method + " " + path + " answered no JSON: " + response.body());
    }
  }

  static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** RFC 8032 verification by the JDK (SunEC); a rejected key or signature is a reject. */
  static boolean jdkEd25519(byte[] rawKey, byte[] message, byte[] signature) {
    if (rawKey.length != ED25519_KEY_BYTES) {
      return false;
    }
    byte[] littleEndian = rawKey.clone();
    boolean xOdd = (littleEndian[31] & 0x80) != 0;
    littleEndian[31] &= 0x7f;
    byte[] bigEndian = new byte[ED25519_KEY_BYTES];
    for (int i = 0; i < ED25519_KEY_BYTES; i++) {
      bigEndian[i] = littleEndian[ED25519_KEY_BYTES - 1 - i];
    }
    try {
      PublicKey key =
          KeyFactory.getInstance("Ed25519")
              .generatePublic(
                  new EdECPublicKeySpec(
                      NamedParameterSpec.ED25519,
                      new EdECPoint(xOdd, new BigInteger(1, bigEndian))));
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (SignatureException | InvalidKeyException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK 15+ has Ed25519", e);
    }
  }

  /** BIP-340 verification by BouncyCastle under an x-only key; a thrown error is a reject. */
  static boolean bip340(byte[] xOnlyKey, byte[] message, byte[] signature) {
    try {
      ECPublicKeyParameters key = BIP340Signer.decodePublicKey(xOnlyKey);
      BIP340Signer verifier = new BIP340Signer();
      verifier.init(false, key);
      verifier.update(message, 0, message.length);
      return verifier.verifySignature(signature);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** A step went otherwise than expected; the message says how. */
  static final class DemoStepFailed extends RuntimeException {
    DemoStepFailed(String message) {
      super(message);
    }
  }
}
