package io.tpwallet.signing.coordinator;

import io.tpwallet.signing.address.ChainAddresses;
import io.tpwallet.signing.frost.Ciphersuite;
import io.tpwallet.signing.frost.Ciphersuites;
import io.tpwallet.signing.wire.Wire;
import io.tpwallet.signing.wire.WireCodec;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The signing API: create a key by DKG among chosen signer nodes (t-of-n), read its public key and
 * chain address, list keys, and sign a message or transaction digest with its policy context.
 */
@RestController
@Profile("!signer")
@EnableConfigurationProperties(CoordinatorProperties.class)
@RequestMapping("/v1/signing/keys")
class SigningController {

  /** Suites by their API names. */
  static final Map<String, Ciphersuite> SUITES =
      Map.of(
          "ed25519", Ciphersuites.ED25519_SHA512,
          "secp256k1-tr", Ciphersuites.SECP256K1_SHA256_TR);

  static final int NODES_MAX = 255;

  /** Create a key: suite, threshold t, the n nodes to share it (default: all), its policy. */
  record CreateKey(
      @Nullable String suite,
      int threshold,
      @Nullable List<Integer> nodes,
      Wire.@Nullable Policy policy) {}

  /** A key as clients see it: never any secret, only public material and the policy. */
  record KeyView(
      String keyId,
      String suite,
      int threshold,
      List<Integer> nodes,
      String publicKey,
      String chain,
      String address,
      @Nullable String testnetAddress,
      Wire.Policy policy,
      Instant createdAt) {}

  /**
   * Sign {@code message} (hex: a message, or a transaction digest) for what {@code context} says.
   */
  record SignRequest(@Nullable String message, Wire.@Nullable PolicyContext context) {}

  record SignatureView(String keyId, String signature, List<Integer> signers, String publicKey) {}

  /** A refresh done: same public key, new shares; the nodes that still hold their old share. */
  record RefreshView(
      String keyId,
      String refreshId,
      String publicKey,
      List<Integer> nodes,
      List<Integer> committed,
      List<Integer> commitPending) {}

  /** One recorded request of a key (signature, refusal, unavailability, refresh). */
  record RequestView(
      long id,
      Instant at,
      @Nullable String requestId,
      String outcome,
      @Nullable List<Integer> signers,
      @Nullable String signature,
      @Nullable String detail) {}

  /**
   * A page of a key's requests, oldest first; {@code next} is the {@code after} of the next page.
   */
  record RequestPage(List<RequestView> items, @Nullable Long next) {}

  static final int PAGE_SIZE_MAX = 500;

  private final SigningCoordinator coordinator;
  private final SigningKeys keys;
  private final KeyRefresh refresh;

  SigningController(SigningCoordinator coordinator, SigningKeys keys, KeyRefresh refresh) {
    this.coordinator = coordinator;
    this.keys = keys;
    this.refresh = refresh;
  }

  @PostMapping
  ResponseEntity<KeyView> create(@RequestBody CreateKey request) {
    Ciphersuite suite = request.suite() == null ? null : SUITES.get(request.suite());
    if (suite == null) {
      throw CoordinatorProblems.invalid("suite must be one of " + SUITES.keySet());
    }
    List<Integer> nodes =
        request.nodes() == null ? List.copyOf(coordinator.knownNodes()) : request.nodes();
    if (nodes.size() > NODES_MAX || nodes.stream().distinct().count() != nodes.size()) {
      throw CoordinatorProblems.invalid("nodes must be distinct, at most " + NODES_MAX);
    }
    if (request.threshold() < 2 || request.threshold() > nodes.size()) {
      throw CoordinatorProblems.invalid(
          "threshold must be 2.." + nodes.size() + " for " + nodes.size() + " nodes");
    }
    Wire.Policy policy = request.policy();
    if (policy == null
        || policy.asset() == null
        || policy.perTransactionMax() == null
        || policy.perDayMax() == null
        || policy.perTransactionMax().signum() < 0
        || policy.perDayMax().signum() < 0
        || policy.destinations() == null
        || policy.destinations().isEmpty()) {
      throw CoordinatorProblems.invalid(
          "policy needs asset, perTransactionMax, perDayMax (>= 0) and at least one destination");
    }
    var key = coordinator.createKey(suite, request.threshold(), nodes, policy);
    return ResponseEntity.created(URI.create("/v1/signing/keys/" + key.keyId())).body(view(key));
  }

  @GetMapping
  List<KeyView> list() {
    return keys.all().stream().map(SigningController::view).toList();
  }

  @GetMapping("/{keyId}")
  KeyView get(@PathVariable String keyId) {
    return view(find(keyId));
  }

  @PostMapping("/{keyId}/signatures")
  SignatureView sign(@PathVariable String keyId, @RequestBody SignRequest request) {
    return signed(keyId, request);
  }

  /**
   * The signing endpoint's work and answer, shared with {@link SignaturePostFilter}: every check
   * and refusal is a {@link io.tpwallet.common.problem.ProblemException} for the service's problem
   * handler.
   */
  SignatureView signed(String keyId, SignRequest request) {
    var key = find(keyId);
    if (request.message() == null || request.context() == null) {
      throw CoordinatorProblems.invalid("message (hex) and context are required");
    }
    Wire.PolicyContext c = request.context();
    if (c.requestId() == null
        || c.asset() == null
        || c.amount() == null
        || c.destination() == null) {
      throw CoordinatorProblems.invalid("context needs requestId, asset, amount and destination");
    }
    byte[] message;
    try {
      message = WireCodec.unhex(request.message());
    } catch (IllegalArgumentException e) {
      throw CoordinatorProblems.invalid("message must be hex");
    }
    var signed = coordinator.sign(key, message, c);
    return new SignatureView(
        keyId, WireCodec.hex(signed.signature()), signed.signers(), WireCodec.hex(key.groupKey()));
  }

  /**
   * Refresh the key's shares at all its nodes: same public key and address, new shares; the old
   * shares are destroyed only after a test signature with every new share verified.
   */
  @PostMapping("/{keyId}/refresh")
  RefreshView refresh(@PathVariable String keyId) {
    var key = find(keyId);
    var done = refresh.refresh(key);
    return new RefreshView(
        keyId,
        done.refreshId(),
        WireCodec.hex(done.groupKey()),
        key.participants(),
        done.committed(),
        done.commitPending());
  }

  /** The coordinator's record of a key's requests, oldest first, paged by id. */
  @GetMapping("/{keyId}/requests")
  RequestPage requests(
      @PathVariable String keyId,
      @org.springframework.web.bind.annotation.RequestParam(defaultValue = "0") long after,
      @org.springframework.web.bind.annotation.RequestParam(defaultValue = "100") int limit) {
    find(keyId);
    if (limit < 1 || limit > PAGE_SIZE_MAX || after < 0) {
      throw CoordinatorProblems.invalid("limit must be 1.." + PAGE_SIZE_MAX + ", after >= 0");
    }
    List<SigningKeys.RequestRecord> rows = keys.requests(keyId, after, limit + 1);
    boolean more = rows.size() > limit;
    List<RequestView> items =
        rows.subList(0, Math.min(limit, rows.size())).stream()
            .map(
                r ->
                    new RequestView(
                        r.id(),
                        r.at(),
                        r.requestId(),
                        r.outcome(),
                        SigningKeys.signers(r.signers()),
                        r.signature() == null ? null : WireCodec.hex(r.signature()),
                        r.detail()))
            .toList();
    return new RequestPage(items, more ? items.get(items.size() - 1).id() : null);
  }

  private SigningKeys.SigningKey find(String keyId) {
    return keys.find(keyId)
        .orElseThrow(() -> io.tpwallet.common.problem.ProblemException.notFound("No key " + keyId));
  }

  static KeyView view(SigningKeys.SigningKey key) {
    boolean ed25519 = key.suite().equals(Ciphersuites.ED25519_SHA512.id());
    String suiteName = ed25519 ? "ed25519" : "secp256k1-tr";
    return new KeyView(
        key.keyId(),
        suiteName,
        key.minSigners(),
        key.participants(),
        WireCodec.hex(key.groupKey()),
        ed25519 ? "solana" : "bitcoin",
        ed25519
            ? ChainAddresses.solana(key.groupKey())
            : ChainAddresses.taproot(key.groupKey(), ChainAddresses.BitcoinNetwork.MAINNET),
        ed25519
            ? null
            : ChainAddresses.taproot(key.groupKey(), ChainAddresses.BitcoinNetwork.TESTNET),
        key.policy(),
        key.createdAt());
  }
}
