package io.tpwallet.signing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.MessageSigned;
import io.tpwallet.common.event.SignRefused;
import io.tpwallet.common.event.SignRequested;
import io.tpwallet.common.event.Topics;
import io.tpwallet.signing.address.Base58;
import io.tpwallet.signing.address.Bech32;
import io.tpwallet.signing.vault.TestSoftHsm;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.KafkaProbe;
import io.tpwallet.testkit.TestPostgres;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.BIP340Signer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The coordinator in this test's Spring context, signer nodes 2 and 3 as two more Spring contexts
 * (profile {@code signer}) on random ports and signer node 1 as a process of its own (so that it
 * can be killed with SIGKILL), each with its own database and its own SoftHSM2 token: what a payout
 * needs, checked by verifiers nobody here wrote.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SigningIT {

  private static final HexFormat HEX = HexFormat.of();
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  // Nodes 2 and 3 run in this JVM; node 1 is a process of its own.
  private static final List<ConfigurableApplicationContext> NODES = new ArrayList<>();
  private static final List<String> NODE_URLS = new ArrayList<>();
  private static final List<JdbcClient> NODE_JDBC = new ArrayList<>();
  private static Process node1;
  private static final List<String> NODE1_COMMAND = new ArrayList<>();
  private static CuttableProxy node1Proxy;
  private static CuttableProxy node2Proxy;
  private static final String PAYEE = "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV";
  // The roster every node pins, written from the nodes' own identity endpoints once they are up
  // (as ./tpw up does); the nodes read it on use.
  private static final Path ROSTER =
      Path.of("target", "signer-roster-" + UUID.randomUUID()).toAbsolutePath();
  private static String rosterText = "";

  @LocalServerPort int port;

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "signing");
    // These tests say which nodes sign (and cut node 2 between the rounds): lowest ids first.
    registry.add("tpw.signing.signer-order", () -> "ASCENDING");
    // One batch of a key at a time, gathered for 20 ms: parallel requests of a test share it.
    registry.add("tpw.signing.batch.linger", () -> "20ms");
    registry.add("tpw.signing.batch.in-flight-max", () -> "1");
    startNodes();
    for (int i = 0; i < NODE_URLS.size(); i++) {
      int n = i;
      registry.add("tpw.signing.nodes[" + n + "].id", () -> n + 1);
      // The coordinator reaches node 1 through a proxy that can kill it between the rounds, and
      // node 2 through one that can drop it there.
      registry.add(
          "tpw.signing.nodes[" + n + "].url",
          () -> n == 0 ? node1Proxy.url() : n == 1 ? node2Proxy.url() : NODE_URLS.get(n));
    }
  }

  private static synchronized void startNodes() {
    if (!NODE_URLS.isEmpty()) {
      return;
    }
    List<TestSoftHsm.Token> tokens = TestSoftHsm.createTokens(3);
    var server = TestPostgres.server();
    List<String> databases = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      databases.add(TestPostgres.freshDatabase("signer" + i));
      NODE_JDBC.add(
          JdbcClient.create(
              new DriverManagerDataSource(databases.get(i - 1), server.user(), server.password())));
    }
    // Node 1 is a process of its own, so that a test can kill -9 it; it starts while the others
    // start in this JVM.
    int node1Port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar"));
    command.add(signingJar().toString());
    command.add("--spring.profiles.active=signer");
    command.add("--server.port=" + node1Port);
    command.addAll(nodeArgs(1, databases.get(0), server, tokens.get(0)));
    NODE1_COMMAND.addAll(command);
    startNode1Process();
    NODE_URLS.add("http://127.0.0.1:" + node1Port);
    for (int i = 2; i <= 3; i++) {
      List<String> args = new ArrayList<>(List.of("--server.port=0"));
      args.addAll(nodeArgs(i, databases.get(i - 1), server, tokens.get(i - 1)));
      ConfigurableApplicationContext node =
          new SpringApplicationBuilder(SigningApplication.class)
              .profiles("signer")
              .run(args.toArray(String[]::new));
      NODES.add(node);
      int nodePort = ((WebServerApplicationContext) node).getWebServer().getPort();
      NODE_URLS.add("http://127.0.0.1:" + nodePort);
    }
    awaitReady(NODE_URLS.get(0), node1);
    writeRoster();
    try {
      node1Proxy = new CuttableProxy(NODE_URLS.get(0));
      node2Proxy = new CuttableProxy(NODE_URLS.get(1));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL node 1's process and wait until it is gone. */
  private static void killNode1() {
    node1.destroyForcibly();
    try {
      node1.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void startNode1Process() {
    try {
      node1 =
          new ProcessBuilder(NODE1_COMMAND)
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(
                      Path.of("target", "signer-1-process.log").toFile()))
              .start();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("could not start signer node 1", e);
    }
  }

  private static List<String> nodeArgs(
      int id, String database, TestPostgres.Server server, TestSoftHsm.Token token) {
    return List.of(
        "--spring.datasource.url=" + database,
        "--spring.datasource.username=" + server.user(),
        "--spring.datasource.password=" + server.password(),
        "--tpw.signer.participant=" + id,
        "--tpw.signer.roster=" + ROSTER,
        "--tpw.signer.vault.mode=pkcs11",
        "--tpw.signer.vault.library=" + TestSoftHsm.LIBRARY,
        "--tpw.signer.vault.slot=" + token.slot(),
        "--tpw.signer.vault.pin=" + TestSoftHsm.PIN,
        "--logging.structured.format.console=",
        "--logging.level.root=WARN");
  }

  /** Pins each node's identity key, read from the node itself, in the roster all of them use. */
  private static void writeRoster() {
    StringBuilder roster = new StringBuilder("# signer identity keys\n");
    try {
      for (int i = 1; i <= NODE_URLS.size(); i++) {
        JsonNode identity = JSON.readTree(get(node(i, "/v1/node/identity")).body());
        assertThat(identity.get("participant").asInt()).isEqualTo(i);
        roster.append(i).append(' ').append(identity.get("publicKey").asString()).append('\n');
      }
      rosterText = roster.toString();
      Files.writeString(ROSTER, rosterText);
    } catch (Exception e) {
      throw new IllegalStateException("could not collect the signer roster", e);
    }
  }

  /** The module's packaged jar (failsafe runs after package). */
  private static Path signingJar() {
    try (var files = Files.list(Path.of("target"))) {
      return files
          .filter(f -> f.getFileName().toString().matches("signing-service-[0-9].*[0-9T]\\.jar"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no signing-service jar in target/"));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() {
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitReady(String url, Process process) {
    long until = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "signer node 1 exited with "
                + process.exitValue()
                + "; see target/signer-1-process.log");
      }
      try {
        if (get(url + "/actuator/health/readiness").statusCode() == 200) {
          return;
        }
      } catch (Exception e) {
        // not listening yet
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("signer node 1 not ready in 180 s");
  }

  @AfterAll
  static void stopNodes() {
    NODES.forEach(ConfigurableApplicationContext::close);
    if (node1 != null) {
      node1.destroyForcibly();
    }
    if (node1Proxy != null) {
      node1Proxy.close();
    }
    if (node2Proxy != null) {
      node2Proxy.close();
    }
  }

  // ---- the tests -----------------------------------------------------------------------------

  static String edKeyId;

  @Test
  @Order(1)
  void aTwoOfThreeEd25519KeyMadeByDkgSignsAPayoutTheJdkVerifies() throws Exception {
    var created = post(coordinator("/v1/signing/keys"), createKey("ed25519", "SOL"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode key = JSON.readTree(created.body());
    edKeyId = key.get("keyId").asString();
    byte[] publicKey = HEX.parseHex(key.get("publicKey").asString());
    assertThat(key.get("threshold").asInt()).isEqualTo(2);
    assertThat(key.get("nodes").toString()).isEqualTo("[1,2,3]");
    assertThat(key.get("chain").asString()).isEqualTo("solana");
    assertThat(key.get("address").asString()).isEqualTo(Base58.encode(publicKey));
    assertThat(Base58.decode(key.get("address").asString())).isEqualTo(publicKey);

    byte[] message = "transfer 1500 lamports to 7Ec...".getBytes();
    var signed =
        post(
            coordinator("/v1/signing/keys/" + edKeyId + "/signatures"),
            sign(message, 1_500, PAYEE, "r-1"));
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
    JsonNode sig = JSON.readTree(signed.body());
    byte[] signature = HEX.parseHex(sig.get("signature").asString());

    assertThat(signature).hasSize(64);
    assertThat(jdkEd25519(publicKey, message, signature)).isTrue();
    byte[] tampered = message.clone();
    tampered[0] ^= 1;
    assertThat(jdkEd25519(publicKey, tampered, signature)).isFalse();
    assertThat(sig.get("signers").toString()).isEqualTo("[1,2]");

    var listed = get(coordinator("/v1/signing/keys"));
    assertThat(listed.body()).contains(edKeyId);
    var read = get(coordinator("/v1/signing/keys/" + edKeyId));
    assertThat(JSON.readTree(read.body()).get("publicKey").asString())
        .isEqualTo(HEX.formatHex(publicKey));
  }

  @Test
  @Order(2)
  void aTaprootKeyHasABc1pAddressAndItsSignaturesPassBip340UnderTheTweakedKey() throws Exception {
    var created = post(coordinator("/v1/signing/keys"), createKey("secp256k1-tr", "BTC"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode key = JSON.readTree(created.body());
    byte[] outputKey = HEX.parseHex(key.get("publicKey").asString());
    byte[] xOnly = Arrays.copyOfRange(outputKey, 1, 33);
    String address = key.get("address").asString();
    assertThat(address).startsWith("bc1p");
    assertThat(key.get("testnetAddress").asString()).startsWith("tb1p");
    assertThat(Bech32.decodeSegwit("bc", address).program()).isEqualTo(xOnly);

    byte[] digest = MessageDigest.getInstance("SHA-256").digest("a taproot payout".getBytes());
    var signed =
        post(
            coordinator("/v1/signing/keys/" + key.get("keyId").asString() + "/signatures"),
            sign(digest, 10_000, PAYEE, "r-tr", "BTC"));
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
    byte[] signature = HEX.parseHex(JSON.readTree(signed.body()).get("signature").asString());

    assertThat(signature).hasSize(64);
    assertThat(bip340(xOnly, digest, signature)).isTrue();
    digest[5] ^= 1;
    assertThat(bip340(xOnly, digest, signature)).isFalse();
  }

  @Test
  @Order(3)
  void theNodesRefuseAPayoutAboveTheLimitThatTheCoordinatorForwards() throws Exception {
    var refused =
        post(
            coordinator("/v1/signing/keys/" + edKeyId + "/signatures"),
            sign("too much".getBytes(), 1_001_000, PAYEE, "r-over"));

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).contains("application/problem+json"));
    JsonNode problem = JSON.readTree(refused.body());
    assertThat(problem.get("type").asString()).endsWith("/signing-policy-refused");
    assertThat(problem.get("reason").asString()).isEqualTo("per-transaction-limit");
    assertThat(audit(1, edKeyId))
        .anySatisfy(
            e -> {
              assertThat(e.get("requestId").asString()).isEqualTo("r-over");
              assertThat(e.get("decision").asString()).isEqualTo("REFUSED");
              assertThat(e.get("reason").asString()).startsWith("per-transaction-limit");
            });
  }

  /**
   * The coordinator's signing POST has a fast path beside Spring MVC (SignaturePostFilter), taken
   * for a JSON body of declared length; a chunked body goes through Spring MVC. Both must answer
   * alike: the same signature fields (signatures differ: fresh nonces) and the same problem bytes.
   */
  @Test
  @Order(3)
  void theFastPathAndSpringMvcGiveTheSameAnswersToTheSameSigningRequests() throws Exception {
    String url = coordinator("/v1/signing/keys/" + edKeyId + "/signatures");
    byte[] message = "the same payout both ways".getBytes();
    String body = sign(message, 1_000, PAYEE, "r-both-ways");
    var fast = post(url, body);
    var mvc = postChunked(url, body);
    assertThat(fast.statusCode()).as(fast.body()).isEqualTo(200);
    assertThat(mvc.statusCode()).as(mvc.body()).isEqualTo(200);
    assertThat(fast.headers().firstValue("Content-Type"))
        .isEqualTo(mvc.headers().firstValue("Content-Type"));
    JsonNode a = JSON.readTree(fast.body());
    JsonNode b = JSON.readTree(mvc.body());
    assertThat(a.propertyNames()).containsExactlyElementsOf(b.propertyNames());
    for (String same : List.of("keyId", "signers", "publicKey")) {
      assertThat(a.get(same)).as(same).isEqualTo(b.get(same));
    }
    byte[] publicKey = HEX.parseHex(a.get("publicKey").asString());
    assertThat(jdkEd25519(publicKey, message, HEX.parseHex(a.get("signature").asString())))
        .isTrue();
    assertThat(jdkEd25519(publicKey, message, HEX.parseHex(b.get("signature").asString())))
        .isTrue();

    Map<String, String> refusals =
        Map.of(
            url,
            "{\"message\":\"not hex\",\"context\":" + contextJson(1_000, "r-hex") + "}",
            url + "#no-context",
            "{\"message\":\"00ff\"}",
            url + "#malformed",
            "{\"message\":",
            url + "#over-limit",
            sign(message, 1_001_000, PAYEE, "r-both-over"),
            url + "#unlisted",
            sign(message, 1_000, "not-a-listed-payee", "r-both-unlisted"),
            coordinator("/v1/signing/keys/no-such-key/signatures"),
            sign(message, 1_000, PAYEE, "r-no-key"));
    for (var refusal : refusals.entrySet()) {
      String target = refusal.getKey().replaceFirst("#.*", "");
      var f = post(target, refusal.getValue());
      var m = postChunked(target, refusal.getValue());
      assertThat(f.statusCode()).as(refusal.getKey() + " " + f.body()).isBetween(400, 499);
      assertThat(f.statusCode()).as(refusal.getKey()).isEqualTo(m.statusCode());
      assertThat(f.headers().firstValue("Content-Type"))
          .as(refusal.getKey())
          .isEqualTo(m.headers().firstValue("Content-Type"));
      assertThat(f.body()).as(refusal.getKey()).isEqualTo(m.body());
    }
  }

  private static String contextJson(long amount, String requestId) {
    return JSON.writeValueAsString(context(amount, PAYEE, requestId, "SOL"));
  }

  /** A POST whose body has no declared length (chunked), which the fast path leaves to MVC. */
  private static HttpResponse<String> postChunked(String url, String body) throws Exception {
    byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(bytes)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Order(3)
  void aboveItsApprovalThresholdAKeySignsOnlyWithTwoOfItsThreeApprovers() throws Exception {
    var approvers = new ArrayList<java.security.KeyPair>();
    for (int i = 0; i < 3; i++) {
      approvers.add(java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    }
    Map<String, Object> policy =
        Map.of(
            "asset",
            "SOL",
            "perTransactionMax",
            1_000_000,
            "perDayMax",
            5_000_000,
            "destinations",
            List.of(PAYEE),
            "approvals",
            Map.of(
                "above",
                100_000,
                "required",
                2,
                "approvers",
                approvers.stream().map(SigningIT::rawEd25519).toList()));
    var created =
        post(
            coordinator("/v1/signing/keys"),
            JSON.writeValueAsString(
                Map.of(
                    "suite",
                    "ed25519",
                    "threshold",
                    2,
                    "nodes",
                    List.of(1, 2, 3),
                    "policy",
                    policy)));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String keyId = JSON.readTree(created.body()).get("keyId").asString();
    byte[] message = "a large payout".getBytes();
    String signatures = coordinator("/v1/signing/keys/" + keyId + "/signatures");

    var unapproved = post(signatures, sign(message, 200_000, PAYEE, "r-big"));
    assertThat(unapproved.statusCode()).as(unapproved.body()).isEqualTo(403);
    assertThat(JSON.readTree(unapproved.body()).get("reason").asString())
        .isEqualTo("approvals-missing");
    assertThat(audit(2, keyId))
        .anySatisfy(e -> assertThat(e.get("reason").asString()).startsWith("approvals-missing"));

    // What an approver signs, as docs/signing-service.md defines it, built here independently.
    String payload =
        String.join(
            "\n",
            "tpw-signing-approval-v1",
            keyId,
            "r-big",
            "SOL",
            "200000",
            PAYEE,
            HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(message)));
    var approvals = new ArrayList<Map<String, String>>();
    for (var approver : List.of(approvers.get(0), approvers.get(2))) {
      var signer = java.security.Signature.getInstance("Ed25519");
      signer.initSign(approver.getPrivate());
      signer.update(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      approvals.add(
          Map.of("approver", rawEd25519(approver), "signature", HEX.formatHex(signer.sign())));
    }
    var context = new java.util.HashMap<>(context(200_000, PAYEE, "r-big", "SOL"));
    context.put("approvals", approvals);
    var approved =
        post(
            signatures,
            JSON.writeValueAsString(Map.of("message", HEX.formatHex(message), "context", context)));
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    byte[] publicKey = HEX.parseHex(JSON.readTree(created.body()).get("publicKey").asString());
    byte[] signature = HEX.parseHex(JSON.readTree(approved.body()).get("signature").asString());
    assertThat(jdkEd25519(publicKey, message, signature)).isTrue();
  }

  private static String rawEd25519(java.security.KeyPair k) {
    byte[] spki = k.getPublic().getEncoded();
    return HEX.formatHex(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
  }

  @Test
  @Order(4)
  void aNodeRefusesAnUnlistedDestinationEvenWhenAskedDirectlyAsARogueCoordinatorWould()
      throws Exception {
    var round2 = roundTwoAtNode1("steal".getBytes(), 10, "Mallory1111", "r-rogue");

    assertThat(round2.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(round2.body()).get("reason").asString())
        .isEqualTo("destination-not-allowed");
    assertThat(audit(1, edKeyId))
        .anySatisfy(
            e -> {
              assertThat(e.get("requestId").asString()).isEqualTo("r-rogue");
              assertThat(e.get("decision").asString()).isEqualTo("REFUSED");
            });
  }

  @Test
  @Order(5)
  void aNodeGivesOneShareForOneRoundOneAndRefusesToReuseItsNonces() throws Exception {
    JsonNode c1 = commit(1, edKeyId);
    JsonNode c2 = commit(2, edKeyId);
    String body =
        nodeSign(
            edKeyId,
            c1.get("sessionId").asString(),
            "pay".getBytes(),
            List.of(c1, c2),
            10,
            PAYEE,
            "r-once");

    var first = post(node(1, "/v1/node/sign/round2"), body);
    var again = post(node(1, "/v1/node/sign/round2"), body);

    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(JSON.readTree(again.body()).get("type").asString())
        .endsWith("/signing-nonces-unavailable");
  }

  @Test
  @Order(5)
  void parallelRequestsNeverTakeANodePastItsDayLimit() throws Exception {
    // Node 1 has signed a few thousand lamports with this key today (limit 5,000,000): of ten
    // parallel payouts of 1,000,000 exactly four fit, whatever the interleaving.
    int requests = 10;
    List<java.util.concurrent.Callable<java.net.http.HttpResponse<String>>> calls =
        new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      JsonNode c1 = commit(1, edKeyId);
      JsonNode c2 = commit(2, edKeyId);
      String body =
          nodeSign(
              edKeyId,
              c1.get("sessionId").asString(),
              ("day payout " + i).getBytes(),
              List.of(c1, c2),
              1_000_000,
              PAYEE,
              "r-day-" + i);
      calls.add(() -> post(node(1, "/v1/node/sign/round2"), body));
    }
    var pool = java.util.concurrent.Executors.newFixedThreadPool(requests);
    List<Integer> statuses = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    try {
      for (var answer : pool.invokeAll(calls)) {
        statuses.add(answer.get().statusCode());
        if (answer.get().statusCode() == 403) {
          reasons.add(JSON.readTree(answer.get().body()).get("reason").asString());
        }
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(statuses).filteredOn(st -> st == 200).hasSize(4);
    assertThat(statuses).filteredOn(st -> st == 403).hasSize(6);
    assertThat(reasons).containsOnly("per-day-limit");
    assertThat(audit(1, edKeyId))
        .filteredOn(e -> e.get("requestId").asString().startsWith("r-day-"))
        .filteredOn(e -> e.get("decision").asString().equals("SIGNED"))
        .hasSize(4);

    // The coordinator signs one of those payouts again (same request, same message, fresh
    // sessions: what it does when the other node was lost mid-batch). It moves no more money, so
    // the node signs it without counting it again; a new payout of the same amount still does not
    // fit the day.
    String signedRequest =
        audit(1, edKeyId).stream()
            .filter(e -> e.get("requestId").asString().startsWith("r-day-"))
            .filter(e -> e.get("decision").asString().equals("SIGNED"))
            .findFirst()
            .orElseThrow()
            .get("requestId")
            .asString();
    String index = signedRequest.substring("r-day-".length());
    var again =
        roundTwoAtNode1(("day payout " + index).getBytes(), 1_000_000, PAYEE, signedRequest);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    var fresh = roundTwoAtNode1("another day payout".getBytes(), 1_000_000, PAYEE, "r-day-new");
    assertThat(fresh.statusCode()).as(fresh.body()).isEqualTo(403);
    assertThat(JSON.readTree(fresh.body()).get("reason").asString()).isEqualTo("per-day-limit");
    assertThat(audit(1, edKeyId))
        .filteredOn(e -> e.get("requestId").asString().equals(signedRequest))
        .filteredOn(e -> e.get("decision").asString().equals("SIGNED"))
        .hasSize(2);
  }

  @Test
  @Order(6)
  void aSignCommandYieldsOneSignedEventOnceAndAPolicyRefusalYieldsTheRefusedEvent()
      throws Exception {
    var envelope = new Envelope("test://payments", Clock.systemUTC(), JSON);
    try (var kafka = new KafkaProbe(Topics.SIGNING_SIGNED, Topics.SIGNING_SIGN_REFUSED)) {
      UUID requestId = UUID.randomUUID();
      byte[] message = "payout by command".getBytes();
      byte[] command =
          Envelope.serialize(
              envelope.wrap(
                  Topics.typeOf(Topics.SIGNING_SIGN_REQUESTED),
                  requestId.toString(),
                  new SignRequested(
                      requestId,
                      edKeyId,
                      HEX.formatHex(message),
                      "SOL",
                      BigInteger.valueOf(700),
                      PAYEE,
                      null)));
      kafka.send(Topics.SIGNING_SIGN_REQUESTED, requestId.toString(), command);

      var answer = kafka.await(r -> r.key().equals(requestId.toString()), Duration.ofSeconds(60));
      assertThat(answer.topic()).isEqualTo(Topics.SIGNING_SIGNED);
      MessageSigned signed =
          envelope.data(Envelope.deserialize(answer.value()), MessageSigned.class);
      assertThat(signed.requestId()).isEqualTo(requestId);
      assertThat(
              jdkEd25519(
                  HEX.parseHex(signed.publicKey()), message, HEX.parseHex(signed.signature())))
          .isTrue();

      // The same command again (a redelivery), and again under a new event id: no second signing.
      kafka.send(Topics.SIGNING_SIGN_REQUESTED, requestId.toString(), command);
      kafka.send(
          Topics.SIGNING_SIGN_REQUESTED,
          requestId.toString(),
          Envelope.serialize(
              envelope.wrap(
                  Topics.typeOf(Topics.SIGNING_SIGN_REQUESTED),
                  requestId.toString(),
                  envelope.data(Envelope.deserialize(command), SignRequested.class))));

      UUID overId = UUID.randomUUID();
      kafka.send(
          Topics.SIGNING_SIGN_REQUESTED,
          overId.toString(),
          Envelope.serialize(
              envelope.wrap(
                  Topics.typeOf(Topics.SIGNING_SIGN_REQUESTED),
                  overId.toString(),
                  new SignRequested(
                      overId,
                      edKeyId,
                      HEX.formatHex("too much by command".getBytes()),
                      "SOL",
                      BigInteger.valueOf(2_000_000),
                      PAYEE,
                      null))));
      var refusal = kafka.await(r -> r.key().equals(overId.toString()), Duration.ofSeconds(60));
      assertThat(refusal.topic()).isEqualTo(Topics.SIGNING_SIGN_REFUSED);
      SignRefused refused = envelope.data(Envelope.deserialize(refusal.value()), SignRefused.class);
      assertThat(refused.reason()).isEqualTo("per-transaction-limit");
      assertThat(refused.requestId()).isEqualTo(overId);

      // The refusal came after both repeats (one partition, in order): they were handled by now.
      var answers = kafka.all(r -> r.key().equals(requestId.toString()), Duration.ofSeconds(1));
      assertThat(answers)
          .hasSize(2)
          .allSatisfy(r -> assertThat(r.topic()).isEqualTo(Topics.SIGNING_SIGNED));
      // The second answer repeats the first signature; the nodes signed this request once each.
      assertThat(
              envelope
                  .data(Envelope.deserialize(answers.get(1).value()), MessageSigned.class)
                  .signature())
          .isEqualTo(signed.signature());
      for (int n : signed.signers()) {
        assertThat(audit(n, edKeyId))
            .filteredOn(e -> e.get("requestId").asString().equals(requestId.toString()))
            .hasSize(1);
      }
    }
  }

  static String refreshedKeyId;

  @Test
  @Order(7)
  void aRefreshKeepsThePublicKeyReplacesEveryNodesShareAndSigningGoesOn() throws Exception {
    var created = post(coordinator("/v1/signing/keys"), createKey("secp256k1-tr", "BTC"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode key = JSON.readTree(created.body());
    refreshedKeyId = key.get("keyId").asString();
    List<byte[]> sealedBefore = sealedShares(refreshedKeyId);

    var refreshed = post(coordinator("/v1/signing/keys/" + refreshedKeyId + "/refresh"), "");
    assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
    JsonNode done = JSON.readTree(refreshed.body());
    assertThat(done.get("publicKey").asString()).isEqualTo(key.get("publicKey").asString());
    assertThat(done.get("committed").toString()).isEqualTo("[1,2,3]");
    var read = JSON.readTree(get(coordinator("/v1/signing/keys/" + refreshedKeyId)).body());
    assertThat(read.get("address").asString()).isEqualTo(key.get("address").asString());

    // Each node holds one sealed share of the key, a new one: the old one is gone.
    List<byte[]> sealedAfter = sealedShares(refreshedKeyId);
    for (int i = 0; i < 3; i++) {
      assertThat(sealedAfter.get(i)).isNotEqualTo(sealedBefore.get(i));
    }

    byte[] outputKey = HEX.parseHex(key.get("publicKey").asString());
    byte[] digest = MessageDigest.getInstance("SHA-256").digest("after refresh".getBytes());
    var signed =
        post(
            coordinator("/v1/signing/keys/" + refreshedKeyId + "/signatures"),
            sign(digest, 1_000, PAYEE, "r-refreshed", "BTC"));
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
    byte[] signature = HEX.parseHex(JSON.readTree(signed.body()).get("signature").asString());
    assertThat(bip340(Arrays.copyOfRange(outputKey, 1, 33), digest, signature)).isTrue();
  }

  @Test
  @Order(8)
  void aRefreshThatLosesANodePartWayLeavesTheOldSharesSigning() throws Exception {
    List<byte[]> sealedBefore = sealedShares(refreshedKeyId);
    node2Proxy.cut("/v1/node/refresh/finish");
    try {
      var failed = post(coordinator("/v1/signing/keys/" + refreshedKeyId + "/refresh"), "");
      assertThat(failed.statusCode()).as(failed.body()).isEqualTo(503);
      assertThat(JSON.readTree(failed.body()).get("nodesDown").toString()).isEqualTo("[2]");
    } finally {
      node2Proxy.heal();
    }
    // Nodes 1 and 3 had sealed a pending share; the abort dropped it and the old ones stayed.
    assertThat(sealedShares(refreshedKeyId))
        .zipSatisfy(sealedBefore, (after, before) -> assertThat(after).isEqualTo(before));
    for (var node : NODE_JDBC) {
      assertThat(
              node.sql("select count(*) from sealed_share where key_id like ?")
                  .param(refreshedKeyId + "%")
                  .query(Long.class)
                  .single())
          .isEqualTo(1L);
    }
    byte[] digest =
        MessageDigest.getInstance("SHA-256").digest("after a failed refresh".getBytes());
    var signed =
        post(
            coordinator("/v1/signing/keys/" + refreshedKeyId + "/signatures"),
            sign(digest, 1_000, PAYEE, "r-refresh-failed", "BTC"));
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
    assertThat(JSON.readTree(signed.body()).get("signers").toString()).isEqualTo("[1,2]");

    // The coordinator's own record, paged: DKG-free keys start with their refreshes and signatures.
    var page =
        JSON.readTree(
            get(coordinator("/v1/signing/keys/" + refreshedKeyId + "/requests?limit=2")).body());
    assertThat(page.get("items")).hasSize(2);
    assertThat(page.get("items").get(0).get("outcome").asString()).isEqualTo("REFRESHED");
    assertThat(page.get("items").get(1).get("outcome").asString()).isEqualTo("SIGNED");
    var rest =
        JSON.readTree(
            get(coordinator(
                    "/v1/signing/keys/"
                        + refreshedKeyId
                        + "/requests?after="
                        + page.get("next").asLong()))
                .body());
    assertThat(rest.get("items")).hasSize(2);
    assertThat(rest.get("items").get(0).get("outcome").asString()).isEqualTo("REFRESH_FAILED");
    assertThat(rest.get("items").get(1).get("requestId").asString()).isEqualTo("r-refresh-failed");
    assertThat(rest.get("next").isNull()).isTrue();
    var bad = get(coordinator("/v1/signing/keys/" + refreshedKeyId + "/requests?limit=0"));
    assertThat(bad.statusCode()).isEqualTo(400);
  }

  // ---- repair of a lost share ------------------------------------------------------------------

  @Test
  @Order(8)
  void aLostShareIsRepairedByTwoHelpersAndThenSignsWithEachOfThem() throws Exception {
    for (String suite : List.of("ed25519", "secp256k1-tr")) {
      String asset = suite.equals("ed25519") ? "SOL" : "BTC";
      var created = post(coordinator("/v1/signing/keys"), createKey(suite, asset));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      JsonNode key = JSON.readTree(created.body());
      String keyId = key.get("keyId").asString();
      String publicKey = key.get("publicKey").asString();
      byte[] sealedBefore = sealedShares(keyId).get(2);

      // Refused with nothing changed: the share still opens, or the request is malformed.
      var notLost = repair(keyId, Map.of("participant", 3));
      assertThat(notLost.statusCode()).as(notLost.body()).isEqualTo(409);
      assertThat(JSON.readTree(notLost.body()).get("type").asString())
          .endsWith("/repair-not-needed");
      assertThat(repair("no-such-key", Map.of("participant", 3)).statusCode()).isEqualTo(404);
      for (Map<String, Object> bad :
          List.<Map<String, Object>>of(
              Map.of("participant", 9),
              Map.of("participant", 3, "helpers", List.of(1, 3)),
              Map.of("participant", 3, "helpers", List.of(1, 1)),
              Map.of("participant", 3, "helpers", List.of(1)),
              Map.of("helpers", List.of(1, 2)))) {
        var refused = repair(keyId, bad);
        assertThat(refused.statusCode()).as(bad + " " + refused.body()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).get("type").asString()).endsWith("/validation");
      }
      assertThat(sealedShares(keyId).get(2)).isEqualTo(sealedBefore);
      assertThat(requestOutcomes(keyId)).doesNotContain("REPAIRED", "REPAIR_FAILED");

      // Node 3 loses its share: with node 2 away, nodes 1 and 3 cannot sign.
      deleteShare(3, keyId);
      byte[] message = message(suite, "before the repair");
      node2Proxy.cut("/v1/node/sign/round1");
      try {
        var lost =
            post(
                coordinator("/v1/signing/keys/" + keyId + "/signatures"),
                sign(message, 1_000, PAYEE, "r-lost-" + suite, asset));
        assertThat(lost.statusCode()).as(lost.body()).isEqualTo(503);
      } finally {
        node2Proxy.heal();
      }

      var repaired = repair(keyId, Map.of("participant", 3, "helpers", List.of(1, 2)));
      assertThat(repaired.statusCode()).as(repaired.body()).isEqualTo(201);
      JsonNode done = JSON.readTree(repaired.body());
      assertThat(done.get("state").asString()).isEqualTo("DONE");
      assertThat(done.get("helpers").toString()).isEqualTo("[1,2]");
      assertThat(done.get("publicKey").asString()).isEqualTo(publicKey);
      String location = repaired.headers().firstValue("Location").orElseThrow();
      assertThat(JSON.readTree(get(coordinator(location)).body()).get("state").asString())
          .isEqualTo("DONE");
      assertThat(
              JSON.readTree(get(coordinator("/v1/signing/keys/" + keyId)).body())
                  .get("publicKey")
                  .asString())
          .isEqualTo(publicKey);
      assertThat(sealedShares(keyId).get(2)).isNotEqualTo(sealedBefore);
      assertThat(requestOutcomes(keyId)).contains("REPAIRED");
      // The helpers audited that they released pieces, node 3 that it sealed the repaired share.
      for (int helper : List.of(1, 2)) {
        assertThat(audit(helper, keyId))
            .anySatisfy(e -> assertThat(e.get("decision").asString()).isEqualTo("REPAIR_HELPED"));
      }
      assertThat(audit(3, keyId))
          .anySatisfy(e -> assertThat(e.get("decision").asString()).isEqualTo("REPAIRED"));

      // The repaired share signs with either helper, under the unchanged public key.
      assertSignsWith(keyId, suite, asset, publicKey, node2Proxy, "[1,3]");
      assertSignsWith(keyId, suite, asset, publicKey, node1Proxy, "[2,3]");
    }
  }

  @Test
  @Order(8)
  void aRepairThatLosesAHelperOrGetsATamperedPieceStoresNothingAndARetrySucceeds()
      throws Exception {
    JsonNode key = ed25519KeyWhoseNode3LostItsShare();
    String keyId = key.get("keyId").asString();

    // Helper 1's process is killed with SIGKILL between steps 1 and 2, holding its own piece.
    node1Proxy.cut("/v1/node/repair/step2", SigningIT::killNode1);
    HttpResponse<String> lost;
    try {
      lost = repair(keyId, Map.of("participant", 3));
    } finally {
      node1Proxy.heal();
    }
    assertThat(node1.isAlive()).isFalse();
    assertThat(lost.statusCode()).as(lost.body()).isEqualTo(503);
    JsonNode lostProblem = JSON.readTree(lost.body());
    assertThat(lostProblem.get("type").asString()).endsWith("/signers-unavailable");
    assertThat(lostProblem.get("nodesDown").toString()).isEqualTo("[1]");
    assertThat(shareRows(3, keyId)).isZero();
    JsonNode failed =
        JSON.readTree(
            get(coordinator(
                    "/v1/signing/keys/"
                        + keyId
                        + "/repairs/"
                        + lostProblem.get("repairId").asString()))
                .body());
    assertThat(failed.get("state").asString()).isEqualTo("FAILED");
    assertThat(get(coordinator("/v1/signing/keys/" + keyId + "/repairs/no-such")).statusCode())
        .isEqualTo(404);
    restartNode1();
    // A node asked for a step of a repair it never began, as a rogue coordinator might, refuses.
    var rogue =
        post(
            node(2, "/v1/node/repair/step1"),
            JSON.writeValueAsString(
                Map.of(
                    "keyId",
                    keyId,
                    "repairId",
                    "rogue",
                    "helpers",
                    List.of(1, 2),
                    "dhPublics",
                    Map.of())));
    assertThat(rogue.statusCode()).as(rogue.body()).isEqualTo(422);

    // A piece from helper 2 altered on its way to helper 1: helper 1 blames 2, nothing is stored.
    node1Proxy.rewrite("/v1/node/repair/step2", SigningIT::tamperPieceFrom2);
    HttpResponse<String> tampered;
    try {
      tampered = repair(keyId, Map.of("participant", 3, "helpers", List.of(1, 2)));
    } finally {
      node1Proxy.heal();
    }
    assertThat(tampered.statusCode()).as(tampered.body()).isEqualTo(502);
    JsonNode blame = JSON.readTree(tampered.body());
    assertThat(blame.get("type").asString()).endsWith("/repair-failed");
    assertThat(blame.get("node").asInt()).isEqualTo(1);
    assertThat(blame.get("culprits").toString()).isEqualTo("[2]");
    assertThat(shareRows(3, keyId)).isZero();

    var retried = repair(keyId, Map.of("participant", 3));
    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(201);
    assertThat(JSON.readTree(retried.body()).get("helpers").toString()).isEqualTo("[1,2]");
    assertThat(shareRows(3, keyId)).isEqualTo(1L);
    assertThat(requestOutcomes(keyId))
        .containsSubsequence("REPAIR_FAILED", "REPAIR_FAILED", "REPAIRED");
    assertSignsWith(keyId, "ed25519", "SOL", key.get("publicKey").asString(), node2Proxy, "[1,3]");
  }

  @Test
  @Order(8)
  void eachNodeShowsTheIdentityKeyTheRosterPinsWithItsFingerprint() throws Exception {
    for (int i = 1; i <= 3; i++) {
      JsonNode identity = JSON.readTree(get(node(i, "/v1/node/identity")).body());
      assertThat(identity.get("algorithm").asString()).isEqualTo("Ed25519");
      String key = identity.get("publicKey").asString();
      assertThat(identity.get("fingerprint").asString())
          .isEqualTo(HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(HEX.parseHex(key))));
      assertThat(rosterText.lines()).contains(i + " " + key);
    }
  }

  @Test
  @Order(8)
  void aCoordinatorSwappingANodesTransportKeyInDkgIsRefusedNamingThatNodeAndNothingIsStored()
      throws Exception {
    List<Long> before = keyRows();
    String relayKey = relayTransportKey();
    // The relay hands node 1 its own transport key as node 2's, keeping node 2's signature.
    node1Proxy.rewrite(
        "/v1/node/dkg/round2", body -> withTransportKey(body, "round1", "2", relayKey));
    HttpResponse<String> created;
    try {
      created = post(coordinator("/v1/signing/keys"), createKey("ed25519", "SOL"));
    } finally {
      node1Proxy.heal();
    }
    assertThat(created.statusCode()).as(created.body()).isEqualTo(502);
    JsonNode problem = JSON.readTree(created.body());
    assertThat(problem.get("type").asString()).endsWith("/dkg-failed");
    assertThat(problem.get("node").asInt()).isEqualTo(1);
    assertThat(problem.get("nodeProblem").get("reason").asString())
        .isEqualTo("INVALID_TRANSPORT_KEY_SIGNATURE");
    assertThat(problem.get("nodeProblem").get("culprits").toString()).isEqualTo("[2]");
    // Node 1 sealed no share to the relay's key (it answered with the problem), and no node kept
    // anything of the key.
    assertThat(keyRows()).isEqualTo(before);
  }

  @Test
  @Order(8)
  void aCoordinatorSwappingANodesTransportKeyInARefreshIsRefusedAndTheOldSharesStillSign()
      throws Exception {
    var created = post(coordinator("/v1/signing/keys"), createKey("ed25519", "SOL"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode key = JSON.readTree(created.body());
    String keyId = key.get("keyId").asString();
    List<byte[]> sealedBefore = sealedShares(keyId);
    String relayKey = relayTransportKey();
    node1Proxy.rewrite(
        "/v1/node/refresh/round2", body -> withTransportKey(body, "round1", "3", relayKey));
    HttpResponse<String> refreshed;
    try {
      refreshed = post(coordinator("/v1/signing/keys/" + keyId + "/refresh"), "");
    } finally {
      node1Proxy.heal();
    }
    assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(502);
    JsonNode problem = JSON.readTree(refreshed.body());
    assertThat(problem.get("type").asString()).endsWith("/refresh-failed");
    assertThat(problem.get("node").asInt()).isEqualTo(1);
    assertThat(problem.get("nodeProblem").get("reason").asString())
        .isEqualTo("INVALID_TRANSPORT_KEY_SIGNATURE");
    assertThat(problem.get("nodeProblem").get("culprits").toString()).isEqualTo("[3]");
    // Every node still holds exactly the share it had, and it signs.
    List<byte[]> sealedAfter = sealedShares(keyId);
    for (int i = 0; i < 3; i++) {
      assertThat(sealedAfter.get(i)).isEqualTo(sealedBefore.get(i));
    }
    assertSignsWith(keyId, "ed25519", "SOL", key.get("publicKey").asString(), node2Proxy, "[1,3]");
  }

  @Test
  @Order(8)
  void aCoordinatorPassingItsOwnKeyAsTheLostNodesInARepairIsRefusedAndNoPieceIsReleased()
      throws Exception {
    JsonNode key = ed25519KeyWhoseNode3LostItsShare();
    String keyId = key.get("keyId").asString();
    String relayKey = relayTransportKey();
    // Both helpers are told the relay's key is node 3's: had they sealed their sums to it, the
    // relay would have opened node 3's share.
    for (CuttableProxy proxy : List.of(node1Proxy, node2Proxy)) {
      proxy.rewrite(
          "/v1/node/repair/step1", body -> withTransportKey(body, "dhPublics", "3", relayKey));
    }
    HttpResponse<String> refused;
    try {
      refused = repair(keyId, Map.of("participant", 3, "helpers", List.of(1, 2)));
    } finally {
      node1Proxy.heal();
      node2Proxy.heal();
    }
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(502);
    JsonNode blame = JSON.readTree(refused.body());
    assertThat(blame.get("type").asString()).endsWith("/repair-failed");
    assertThat(blame.get("culprits").toString()).isEqualTo("[3]");
    assertThat(blame.get("nodeProblem").get("reason").asString())
        .isEqualTo("INVALID_TRANSPORT_KEY_SIGNATURE");
    assertThat(shareRows(3, keyId)).isZero();
    // Neither helper released a piece of its share (each audits REPAIR_HELPED when it does).
    for (int helper : List.of(1, 2)) {
      assertThat(audit(helper, keyId))
          .noneSatisfy(e -> assertThat(e.get("decision").asString()).isEqualTo("REPAIR_HELPED"));
    }

    var repaired = repair(keyId, Map.of("participant", 3, "helpers", List.of(1, 2)));
    assertThat(repaired.statusCode()).as(repaired.body()).isEqualTo(201);
    assertSignsWith(keyId, "ed25519", "SOL", key.get("publicKey").asString(), node2Proxy, "[1,3]");
  }

  @Test
  @Order(8)
  void aNodeWhoseRosterLacksAPeerTakesNoPartInKeyGeneration() throws Exception {
    List<Long> before = keyRows();
    Files.writeString(
        ROSTER,
        rosterText
            .lines()
            .filter(line -> !line.startsWith("3 "))
            .collect(java.util.stream.Collectors.joining("\n", "", "\n")));
    HttpResponse<String> created;
    try {
      created = post(coordinator("/v1/signing/keys"), createKey("ed25519", "SOL"));
    } finally {
      Files.writeString(ROSTER, rosterText);
    }
    assertThat(created.statusCode()).as(created.body()).isEqualTo(502);
    JsonNode problem = JSON.readTree(created.body());
    assertThat(problem.get("node").asInt()).isEqualTo(1);
    assertThat(problem.get("nodeProblem").get("type").asString()).endsWith("/signing-peer-unknown");
    assertThat(problem.get("nodeProblem").get("participants").toString()).isEqualTo("[3]");
    assertThat(keyRows()).isEqualTo(before);
    // With node 3 pinned again, the same request makes a key.
    assertThat(post(coordinator("/v1/signing/keys"), createKey("ed25519", "SOL")).statusCode())
        .isEqualTo(201);
  }

  /** A transport key the relay holds the private part of. */
  private static String relayTransportKey() throws Exception {
    return HEX.formatHex(
        java.security.KeyPairGenerator.getInstance("X25519")
            .generateKeyPair()
            .getPublic()
            .getEncoded());
  }

  /**
   * Replaces participant {@code who}'s transport key in a relayed body: in {@code
   * round1.<who>.dhPublic} (DKG round two) or {@code dhPublics.<who>} (repair step one).
   */
  private static byte[] withTransportKey(byte[] body, String field, String who, String key) {
    var tree = (tools.jackson.databind.node.ObjectNode) JSON.readTree(body);
    var map = (tools.jackson.databind.node.ObjectNode) tree.get(field);
    if (field.equals("round1")) {
      ((tools.jackson.databind.node.ObjectNode) map.get(who)).put("dhPublic", key);
    } else {
      map.put(who, key);
    }
    return JSON.writeValueAsBytes(tree);
  }

  /** How many key rows and sealed shares each node holds, nodes 1..3. */
  private static List<Long> keyRows() {
    List<Long> out = new ArrayList<>();
    for (var node : NODE_JDBC) {
      out.add(node.sql("select count(*) from node_key").query(Long.class).single());
      out.add(node.sql("select count(*) from sealed_share").query(Long.class).single());
    }
    return out;
  }

  /** A new 2-of-3 Ed25519 key (SOL), whose share node 3 then loses. */
  private JsonNode ed25519KeyWhoseNode3LostItsShare() throws Exception {
    var created = post(coordinator("/v1/signing/keys"), createKey("ed25519", "SOL"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode key = JSON.readTree(created.body());
    deleteShare(3, key.get("keyId").asString());
    return key;
  }

  /** Starts node 1's process again on its port, with its own database and token. */
  private static void restartNode1() {
    startNode1Process();
    awaitReady(NODE_URLS.get(0), node1);
  }

  /** Signs through the coordinator with the node behind {@code away} skipped at round one. */
  private void assertSignsWith(
      String keyId,
      String suite,
      String asset,
      String publicKey,
      CuttableProxy away,
      String signers)
      throws Exception {
    byte[] message = message(suite, "signed by " + signers);
    away.cut("/v1/node/sign/round1");
    HttpResponse<String> signed;
    try {
      signed =
          post(
              coordinator("/v1/signing/keys/" + keyId + "/signatures"),
              sign(message, 1_000, PAYEE, "r-" + keyId + "-" + signers, asset));
    } finally {
      away.heal();
    }
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
    JsonNode sig = JSON.readTree(signed.body());
    assertThat(sig.get("signers").toString()).isEqualTo(signers);
    byte[] signature = HEX.parseHex(sig.get("signature").asString());
    byte[] key = HEX.parseHex(publicKey);
    if (suite.equals("ed25519")) {
      assertThat(jdkEd25519(key, message, signature)).isTrue();
    } else {
      assertThat(bip340(Arrays.copyOfRange(key, 1, 33), message, signature)).isTrue();
    }
  }

  /** A message to sign: the text itself for Ed25519, its SHA-256 (a sighash) for Taproot. */
  private static byte[] message(String suite, String text) throws Exception {
    byte[] bytes = text.getBytes();
    return suite.equals("ed25519") ? bytes : MessageDigest.getInstance("SHA-256").digest(bytes);
  }

  /** Flips one bit of the sealed piece helper 2 sent, in a step-2 request to helper 1. */
  private static byte[] tamperPieceFrom2(byte[] body) {
    var tree = (tools.jackson.databind.node.ObjectNode) JSON.readTree(body);
    var pieces = (tools.jackson.databind.node.ObjectNode) tree.get("pieces");
    byte[] sealed = HEX.parseHex(pieces.get("2").asString());
    sealed[sealed.length - 1] ^= 1;
    pieces.put("2", HEX.formatHex(sealed));
    return JSON.writeValueAsBytes(tree);
  }

  private HttpResponse<String> repair(String keyId, Map<String, Object> body) throws Exception {
    return post(
        coordinator("/v1/signing/keys/" + keyId + "/repairs"), JSON.writeValueAsString(body));
  }

  /** The outcomes in the coordinator's request log of the key, oldest first. */
  private List<String> requestOutcomes(String keyId) throws Exception {
    List<String> out = new ArrayList<>();
    JSON.readTree(get(coordinator("/v1/signing/keys/" + keyId + "/requests?limit=500")).body())
        .get("items")
        .forEach(i -> out.add(i.get("outcome").asString()));
    return out;
  }

  /** A node loses its share: its sealed row is gone, as after a lost disk or a broken token. */
  private static void deleteShare(int node, String keyId) {
    assertThat(
            NODE_JDBC
                .get(node - 1)
                .sql("delete from sealed_share where key_id = ?")
                .param(keyId)
                .update())
        .isEqualTo(1);
  }

  private static long shareRows(int node, String keyId) {
    return NODE_JDBC
        .get(node - 1)
        .sql("select count(*) from sealed_share where key_id like ?")
        .param(keyId + "%")
        .query(Long.class)
        .single();
  }

  /** The sealed share of the key at nodes 1..3, as each node's database holds it. */
  private static List<byte[]> sealedShares(String keyId) {
    List<byte[]> out = new ArrayList<>();
    for (var node : NODE_JDBC) {
      out.add(
          node.sql("select sealed from sealed_share where key_id = ?")
              .param(keyId)
              .query(byte[].class)
              .single());
    }
    return out;
  }

  @Test
  @Order(9)
  void aNodeLostBetweenTheRoundsIsReplacedByAnotherSubsetWithFreshNonces() throws Exception {
    int cutBefore = node2Proxy.cut.get();
    node2Proxy.cut("/v1/node/sign/round2");
    byte[] message = "payout while node 2 dies mid-session".getBytes();
    try {
      var signed =
          post(
              coordinator("/v1/signing/keys/" + edKeyId + "/signatures"),
              sign(message, 200, PAYEE, "r-midway"));

      assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
      JsonNode sig = JSON.readTree(signed.body());
      assertThat(node2Proxy.cut.get()).isEqualTo(cutBefore + 1);
      assertThat(sig.get("signers").toString()).isEqualTo("[1,3]");
      assertThat(
              jdkEd25519(
                  HEX.parseHex(sig.get("publicKey").asString()),
                  message,
                  HEX.parseHex(sig.get("signature").asString())))
          .isTrue();
      // Node 1 signed twice for this request, each time with nonces of its own fresh round one;
      // node 2 never released a share for it.
      assertThat(audit(1, edKeyId))
          .filteredOn(e -> e.get("requestId").asString().equals("r-midway"))
          .hasSize(2)
          .allSatisfy(e -> assertThat(e.get("decision").asString()).isEqualTo("SIGNED"));
      assertThat(audit(2, edKeyId))
          .noneSatisfy(e -> assertThat(e.get("requestId").asString()).isEqualTo("r-midway"));
    } finally {
      node2Proxy.heal();
    }
  }

  @Test
  @Order(10)
  void aNodeProcessKilledMidSessionReleasesNothingAndAnotherSubsetSignsWithFreshNonces()
      throws Exception {
    // kill -9 node 1 after its round one, as its round-two request arrives.
    node1Proxy.cut("/v1/node/sign/round2", SigningIT::killNode1);
    byte[] message = "payout while node 1 is killed mid-session".getBytes();
    try {
      var signed =
          post(
              coordinator("/v1/signing/keys/" + edKeyId + "/signatures"),
              sign(message, 300, PAYEE, "r-killed"));

      assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
      JsonNode sig = JSON.readTree(signed.body());
      assertThat(sig.get("signers").toString()).isEqualTo("[2,3]");
      assertThat(
              jdkEd25519(
                  HEX.parseHex(sig.get("publicKey").asString()),
                  message,
                  HEX.parseHex(sig.get("signature").asString())))
          .isTrue();
    } finally {
      node1Proxy.heal();
    }
    assertThat(node1.isAlive()).isFalse();
    assertThat(node1.exitValue()).isEqualTo(137); // 128 + SIGKILL
    // Node 2 signed in both attempts, each after a round one of its own (a session is used once);
    // node 3 once; node 1 died holding its nonces in memory and released nothing.
    assertThat(audit(2, edKeyId))
        .filteredOn(e -> e.get("requestId").asString().equals("r-killed"))
        .hasSize(2);
    assertThat(audit(3, edKeyId))
        .filteredOn(e -> e.get("requestId").asString().equals("r-killed"))
        .hasSize(1);
    assertThat(
            NODE_JDBC
                .get(0)
                .sql("select count(*) from signing_audit where request_id = 'r-killed'")
                .query(Long.class)
                .single())
        .isZero();
  }

  @Test
  @Order(12)
  void aNodeRestartedWhileTheCoordinatorPooledItsCommitmentsIsAskedAfreshAndEveryRequestSigns()
      throws Exception {
    // Node 1 was killed by the test before: back with no sessions, then warmed up so that the
    // coordinator pools commitments it handed out ahead.
    restartNode1();
    assertAllSignedBy1And2(signAtOnce(edKeyId, restartBodies("warm", 6)), "warm", 6);
    int[] before = node1Exchanges();
    assertAllSignedBy1And2(signAtOnce(edKeyId, restartBodies("pooled", 6)), "pooled", 6);
    int[] pooled = node1Exchanges();
    // Served from the pool: more round twos than round ones at node 1 (a request that came too
    // late for the batch goes on its own, with both rounds).
    assertThat(pooled[1] - before[1]).isGreaterThan(pooled[0] - before[0]);

    // Restarted again: the coordinator still holds commitments whose nonces died with the process.
    killNode1();
    restartNode1();
    assertAllSignedBy1And2(signAtOnce(edKeyId, restartBodies("restarted", 6)), "restarted", 6);
    int[] after = node1Exchanges();
    // A round two with the pooled sessions (refused), then fresh round ones and round twos.
    assertThat(after[0] - pooled[0]).isPositive();
    assertThat((after[1] - pooled[1]) - (after[0] - pooled[0])).isPositive();
    // Each request was signed once by node 1, none twice; the refused sessions released nothing.
    for (String wave : List.of("warm", "pooled", "restarted")) {
      for (int i = 0; i < 6; i++) {
        String id = "r-" + wave + "-" + i;
        assertThat(audit(1, edKeyId))
            .filteredOn(e -> e.get("requestId").asString().equals(id))
            .extracting(e -> e.get("decision").asString())
            .containsExactly("SIGNED");
      }
    }
  }

  private static List<String> restartBodies(String wave, int count) {
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      bodies.add(sign(("payout " + wave + " " + i).getBytes(), 20, PAYEE, "r-" + wave + "-" + i));
    }
    return bodies;
  }

  private static void assertAllSignedBy1And2(
      List<HttpResponse<String>> answers, String wave, int count) throws Exception {
    assertThat(answers).hasSize(count);
    for (int i = 0; i < count; i++) {
      var answer = answers.get(i);
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode sig = JSON.readTree(answer.body());
      assertThat(sig.get("signers").toString()).isEqualTo("[1,2]");
      assertThat(
              jdkEd25519(
                  HEX.parseHex(sig.get("publicKey").asString()),
                  ("payout " + wave + " " + i).getBytes(),
                  HEX.parseHex(sig.get("signature").asString())))
          .isTrue();
    }
  }

  /** Node 1's round-one and round-two exchanges (single and batched) so far. */
  private static int[] node1Exchanges() {
    return new int[] {
      node1Proxy.seen("/v1/node/sign/round1") + node1Proxy.seen("/v1/node/sign/round1-batch"),
      node1Proxy.seen("/v1/node/sign/round2") + node1Proxy.seen("/v1/node/sign/round2-batch")
    };
  }

  @Test
  @Order(13)
  void withOneNodeDownTheOthersSignAndWithTwoDownNothingIsSigned() throws Exception {
    node1.destroyForcibly(); // up since the test before

    byte[] message = "payout with node 1 down".getBytes();
    var signed =
        post(
            coordinator("/v1/signing/keys/" + edKeyId + "/signatures"),
            sign(message, 100, PAYEE, "r-down1"));
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
    JsonNode sig = JSON.readTree(signed.body());
    assertThat(sig.get("signers").toString()).isEqualTo("[2,3]");
    assertThat(
            jdkEd25519(
                HEX.parseHex(sig.get("publicKey").asString()),
                message,
                HEX.parseHex(sig.get("signature").asString())))
        .isTrue();

    var noKey = post(coordinator("/v1/signing/keys"), createKey("ed25519", "SOL"));
    assertThat(noKey.statusCode()).isEqualTo(503);

    NODES.get(0).close(); // node 2

    var unavailable =
        post(
            coordinator("/v1/signing/keys/" + edKeyId + "/signatures"),
            sign(message, 100, PAYEE, "r-down2"));
    assertThat(unavailable.statusCode()).isEqualTo(503);
    JsonNode problem = JSON.readTree(unavailable.body());
    assertThat(problem.get("type").asString()).endsWith("/signers-unavailable");
    assertThat(problem.get("signersNeeded").asInt()).isEqualTo(2);
    assertThat(audit(3, edKeyId))
        .noneSatisfy(e -> assertThat(e.get("requestId").asString()).isEqualTo("r-down2"));
  }

  @Test
  @Order(6)
  void aBatchedRoundTwoJudgesEachItemAloneAndCommitsTheDayTotalExactly() throws Exception {
    var created = post(coordinator("/v1/signing/keys"), createKey("ed25519", "SOL"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String keyId = JSON.readTree(created.body()).get("keyId").asString();
    var round1 =
        post(
            node(1, "/v1/node/sign/round1-batch"),
            JSON.writeValueAsString(Map.of("keyId", keyId, "count", 7)));
    assertThat(round1.statusCode()).as(round1.body()).isEqualTo(200);
    JsonNode sessions = JSON.readTree(round1.body()).get("sessions");
    assertThat(sessions).hasSize(7);
    JsonNode c2 = commit(2, keyId);
    // Seven payouts of 1,000,000 against a day limit of 5,000,000, one of them to an unlisted
    // destination, and an eighth item that reuses the first item's session.
    List<String> items = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      items.add(
          nodeSign(
              keyId,
              sessions.get(i).get("sessionId").asString(),
              ("batched payout " + i).getBytes(),
              List.of(sessions.get(i), c2),
              1_000_000,
              i == 2 ? "Mallory1111" : PAYEE,
              "r-batch-" + i));
    }
    items.add(items.get(0).replace("r-batch-0", "r-batch-reused"));
    var round2 =
        post(
            node(1, "/v1/node/sign/round2-batch"), "{\"items\":[" + String.join(",", items) + "]}");

    assertThat(round2.statusCode()).as(round2.body()).isEqualTo(200);
    JsonNode results = JSON.readTree(round2.body()).get("results");
    assertThat(results).hasSize(8);
    List<String> outcomes = new ArrayList<>();
    for (JsonNode r : results) {
      JsonNode problem = r.path("problem");
      if (r.path("share").isObject()) {
        outcomes.add("share");
      } else if (problem.path("reason").isString()) {
        outcomes.add(problem.get("status").asInt() + " " + problem.get("reason").asString());
      } else {
        outcomes.add(
            problem.get("status").asInt()
                + " "
                + problem.get("type").asString().replaceAll(".*/", ""));
      }
    }
    // Items are admitted in order while the day total stays within the limit: the fifth payout
    // that fits reaches exactly 5,000,000, the next is refused; the refusals fail only themselves.
    assertThat(outcomes)
        .containsExactly(
            "share",
            "share",
            "403 destination-not-allowed",
            "share",
            "share",
            "share",
            "403 per-day-limit",
            "409 signing-nonces-unavailable");
    assertThat(
            NODE_JDBC
                .get(0)
                .sql("select amount from signing_day_total where key_id = ?")
                .param(keyId)
                .query(BigDecimal.class)
                .single())
        .isEqualByComparingTo("5000000");
    List<JsonNode> audited = audit(1, keyId);
    assertThat(audited)
        .filteredOn(e -> e.get("decision").asString().equals("SIGNED"))
        .extracting(e -> e.get("requestId").asString())
        .containsExactlyInAnyOrder("r-batch-0", "r-batch-1", "r-batch-3", "r-batch-4", "r-batch-5");
    assertThat(audited)
        .filteredOn(e -> e.get("decision").asString().equals("REFUSED"))
        .extracting(e -> e.get("requestId").asString())
        .containsExactlyInAnyOrder("r-batch-2", "r-batch-6");
  }

  @Test
  @Order(6)
  void aSessionHandedOutAheadSignsOnceAndTheNodeRefusesItAgainOrOneItNeverMade() throws Exception {
    var created = post(coordinator("/v1/signing/keys"), createKey("ed25519", "SOL"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String keyId = JSON.readTree(created.body()).get("keyId").asString();
    JsonNode first = commit(1, keyId);
    JsonNode c2 = commit(2, keyId);
    // A round two that asks for three sessions ahead gets them with its answer.
    String item =
        nodeSign(
            keyId,
            first.get("sessionId").asString(),
            "payout before the ahead ones".getBytes(),
            List.of(first, c2),
            10,
            PAYEE,
            "r-ahead-first");
    var round2 =
        post(node(1, "/v1/node/sign/round2-batch"), "{\"items\":[" + item + "],\"ahead\":3}");
    assertThat(round2.statusCode()).as(round2.body()).isEqualTo(200);
    JsonNode answer = JSON.readTree(round2.body());
    assertThat(answer.get("results").get(0).path("share").isObject()).isTrue();
    JsonNode ahead = answer.get("ahead");
    assertThat(ahead).hasSize(3);
    Set<String> ids = new java.util.HashSet<>();
    ahead.forEach(a -> ids.add(a.get("sessionId").asString()));
    assertThat(ids).hasSize(3);

    // One of them used once, then again, and a session the node never made: one share only.
    String once =
        nodeSign(
            keyId,
            ahead.get(0).get("sessionId").asString(),
            "payout with an ahead session".getBytes(),
            List.of(ahead.get(0), c2),
            10,
            PAYEE,
            "r-ahead-once");
    String unknown =
        nodeSign(
            keyId,
            UUID.randomUUID().toString(),
            "payout with a made-up session".getBytes(),
            List.of(ahead.get(1), c2),
            10,
            PAYEE,
            "r-ahead-unknown");
    var used =
        post(
            node(1, "/v1/node/sign/round2-batch"),
            "{\"items\":["
                + once
                + ","
                + once.replace("r-ahead-once", "r-ahead-again")
                + ","
                + unknown
                + "]}");
    assertThat(used.statusCode()).as(used.body()).isEqualTo(200);
    JsonNode results = JSON.readTree(used.body()).get("results");
    assertThat(results.get(0).path("share").isObject()).isTrue();
    for (int i = 1; i <= 2; i++) {
      assertThat(results.get(i).path("share").isObject()).isFalse();
      assertThat(results.get(i).get("problem").get("status").asInt()).isEqualTo(409);
      assertThat(results.get(i).get("problem").get("type").asString())
          .endsWith("/signing-nonces-unavailable");
    }
    // And a round two on its own refuses the used session as well.
    var alone = post(node(1, "/v1/node/sign/round2"), once.replace("r-ahead-once", "r-ahead-3"));
    assertThat(alone.statusCode()).as(alone.body()).isEqualTo(409);
    assertThat(audit(1, keyId))
        .filteredOn(e -> e.get("decision").asString().equals("SIGNED"))
        .extracting(e -> e.get("requestId").asString())
        .containsExactlyInAnyOrder("r-ahead-first", "r-ahead-once");
  }

  @Test
  @Order(9)
  void concurrentRequestsShareTheNodeExchangesAndARefusedOneFailsOnlyItself() throws Exception {
    int round1Before =
        node1Proxy.seen("/v1/node/sign/round1") + node1Proxy.seen("/v1/node/sign/round1-batch");
    int round2Before =
        node1Proxy.seen("/v1/node/sign/round2") + node1Proxy.seen("/v1/node/sign/round2-batch");
    int batchesBefore = node1Proxy.seen("/v1/node/sign/round2-batch");
    int requests = 8;
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      String body =
          sign(
              ("concurrent payout " + i).getBytes(),
              100 + i,
              i == 5 ? "Mallory1111" : PAYEE,
              "r-concurrent-" + i);
      bodies.add(body);
    }
    List<HttpResponse<String>> answers = signAtOnce(edKeyId, bodies);

    byte[] publicKey =
        HEX.parseHex(JSON.readTree(answers.get(0).body()).get("publicKey").asString());
    for (int i = 0; i < requests; i++) {
      var answer = answers.get(i);
      if (i == 5) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(403);
        assertThat(JSON.readTree(answer.body()).get("reason").asString())
            .isEqualTo("destination-not-allowed");
        continue;
      }
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode sig = JSON.readTree(answer.body());
      assertThat(sig.get("signers").toString()).isEqualTo("[1,2]");
      assertThat(
              jdkEd25519(
                  publicKey,
                  ("concurrent payout " + i).getBytes(),
                  HEX.parseHex(sig.get("signature").asString())))
          .isTrue();
    }
    // Fewer exchanges with node 1 than signatures, at least one of them batched; every request
    // was decided once by each node.
    int round1 =
        node1Proxy.seen("/v1/node/sign/round1")
            + node1Proxy.seen("/v1/node/sign/round1-batch")
            - round1Before;
    int round2 =
        node1Proxy.seen("/v1/node/sign/round2")
            + node1Proxy.seen("/v1/node/sign/round2-batch")
            - round2Before;
    assertThat(node1Proxy.seen("/v1/node/sign/round2-batch")).isGreaterThan(batchesBefore);
    assertThat(round1).isLessThan(requests);
    assertThat(round2).isLessThan(requests);
    for (int node : List.of(1, 2)) {
      assertThat(audit(node, edKeyId))
          .filteredOn(e -> e.get("requestId").asString().startsWith("r-concurrent-"))
          .extracting(e -> e.get("requestId").asString() + " " + e.get("decision").asString())
          .containsExactlyInAnyOrder(
              "r-concurrent-0 SIGNED",
              "r-concurrent-1 SIGNED",
              "r-concurrent-2 SIGNED",
              "r-concurrent-3 SIGNED",
              "r-concurrent-4 SIGNED",
              "r-concurrent-5 REFUSED",
              "r-concurrent-6 SIGNED",
              "r-concurrent-7 SIGNED");
    }
  }

  @Test
  @Order(11)
  void aNodeProcessKilledDuringABatchedRoundTwoReleasesNothingAndEveryRequestIsSignedAgain()
      throws Exception {
    // Node 1 was killed by the test before; it comes back with no sessions at all.
    startNode1Process();
    awaitReady(NODE_URLS.get(0), node1);
    int cutBefore = node1Proxy.cut.get();
    node1Proxy.cut("/v1/node/sign/round2-batch", SigningIT::killNode1);
    int requests = 6;
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      String body = sign(("batch while node 1 dies " + i).getBytes(), 50, PAYEE, "r-bkill-" + i);
      bodies.add(body);
    }
    List<HttpResponse<String>> answers;
    try {
      answers = signAtOnce(edKeyId, bodies);
    } finally {
      node1Proxy.heal();
    }

    assertThat(node1Proxy.cut.get()).isEqualTo(cutBefore + 1);
    assertThat(node1.isAlive()).isFalse();
    for (int i = 0; i < requests; i++) {
      var answer = answers.get(i);
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode sig = JSON.readTree(answer.body());
      assertThat(sig.get("signers").toString()).isEqualTo("[2,3]");
      assertThat(
              jdkEd25519(
                  HEX.parseHex(sig.get("publicKey").asString()),
                  ("batch while node 1 dies " + i).getBytes(),
                  HEX.parseHex(sig.get("signature").asString())))
          .isTrue();
    }
    // Node 1 died holding the batch's nonces in memory and released nothing; node 2 signed each
    // request once or twice (the killed batch, then the retry), each time with a fresh session.
    assertThat(
            NODE_JDBC
                .get(0)
                .sql("select count(*) from signing_audit where request_id like 'r-bkill-%'")
                .query(Long.class)
                .single())
        .isZero();
    List<JsonNode> node2 =
        audit(2, edKeyId).stream()
            .filter(e -> e.get("requestId").asString().startsWith("r-bkill-"))
            .toList();
    assertThat(node2).allSatisfy(e -> assertThat(e.get("decision").asString()).isEqualTo("SIGNED"));
    for (int i = 0; i < requests; i++) {
      String id = "r-bkill-" + i;
      assertThat(node2)
          .filteredOn(e -> e.get("requestId").asString().equals(id))
          .hasSizeBetween(1, 2);
      assertThat(audit(3, edKeyId))
          .filteredOn(e -> e.get("requestId").asString().equals(id))
          .hasSize(1);
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Posts every body to the key's signatures at once; the answers in the bodies' order. */
  private List<HttpResponse<String>> signAtOnce(String keyId, List<String> bodies)
      throws Exception {
    List<java.util.concurrent.Callable<HttpResponse<String>>> calls = new ArrayList<>();
    for (String body : bodies) {
      calls.add(() -> post(coordinator("/v1/signing/keys/" + keyId + "/signatures"), body));
    }
    var pool = java.util.concurrent.Executors.newFixedThreadPool(bodies.size());
    List<HttpResponse<String>> answers = new ArrayList<>();
    try {
      for (var answer : pool.invokeAll(calls)) {
        answers.add(answer.get());
      }
    } finally {
      pool.shutdownNow();
    }
    return answers;
  }

  private String coordinator(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  private static String node(int id, String path) {
    return NODE_URLS.get(id - 1) + path;
  }

  private static String createKey(String suite, String asset) {
    return JSON.writeValueAsString(
        Map.of(
            "suite",
            suite,
            "threshold",
            2,
            "nodes",
            List.of(1, 2, 3),
            "policy",
            Map.of(
                "asset",
                asset,
                "perTransactionMax",
                1_000_000,
                "perDayMax",
                5_000_000,
                "destinations",
                List.of(PAYEE))));
  }

  private static String sign(byte[] message, long amount, String destination, String requestId) {
    return sign(message, amount, destination, requestId, "SOL");
  }

  private static String sign(
      byte[] message, long amount, String destination, String requestId, String asset) {
    return JSON.writeValueAsString(
        Map.of(
            "message", HEX.formatHex(message),
            "context", context(amount, destination, requestId, asset)));
  }

  private static Map<String, Object> context(
      long amount, String destination, String requestId, String asset) {
    return Map.of(
        "requestId",
        requestId,
        "asset",
        asset,
        "amount",
        BigInteger.valueOf(amount),
        "destination",
        destination);
  }

  private static JsonNode commit(int node, String keyId) throws Exception {
    var r =
        post(node(node, "/v1/node/sign/round1"), JSON.writeValueAsString(Map.of("keyId", keyId)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static String nodeSign(
      String keyId,
      String sessionId,
      byte[] message,
      List<JsonNode> commits,
      long amount,
      String destination,
      String requestId) {
    List<Object> commitments = new ArrayList<>();
    commits.forEach(c -> commitments.add(c.get("commitment")));
    return JSON.writeValueAsString(
        Map.of(
            "keyId", keyId,
            "sessionId", sessionId,
            "message", HEX.formatHex(message),
            "commitments", commitments,
            "context", context(amount, destination, requestId, "SOL")));
  }

  /** Node 1's round two, asked directly as a coordinator would, with fresh sessions at 1 and 2. */
  private static HttpResponse<String> roundTwoAtNode1(
      byte[] message, long amount, String destination, String requestId) throws Exception {
    JsonNode c1 = commit(1, edKeyId);
    JsonNode c2 = commit(2, edKeyId);
    return post(
        node(1, "/v1/node/sign/round2"),
        nodeSign(
            edKeyId,
            c1.get("sessionId").asString(),
            message,
            List.of(c1, c2),
            amount,
            destination,
            requestId));
  }

  private static List<JsonNode> audit(int node, String keyId) throws Exception {
    var r = get(node(node, "/v1/node/keys/" + keyId + "/audit"));
    assertThat(r.statusCode()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(r.body()).forEach(out::add);
    return out;
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The JDK's own Ed25519 verifier; a thrown SignatureException counts as a reject. */
  static boolean jdkEd25519(byte[] rawKey, byte[] message, byte[] signature) throws Exception {
    byte[] le = rawKey.clone();
    boolean xOdd = (le[31] & 0x80) != 0;
    le[31] &= 0x7f;
    byte[] be = new byte[32];
    for (int i = 0; i < 32; i++) {
      be[i] = le[31 - i];
    }
    PublicKey key =
        KeyFactory.getInstance("Ed25519")
            .generatePublic(
                new EdECPublicKeySpec(
                    NamedParameterSpec.ED25519, new EdECPoint(xOdd, new BigInteger(1, be))));
    var verifier = java.security.Signature.getInstance("Ed25519");
    verifier.initVerify(key);
    verifier.update(message);
    try {
      return verifier.verify(signature);
    } catch (SignatureException e) {
      return false;
    }
  }

  /** BouncyCastle's BIP-340 verifier under the x-only (tweaked) output key. */
  static boolean bip340(byte[] xOnly, byte[] message, byte[] signature) {
    try {
      ECPublicKeyParameters key = BIP340Signer.decodePublicKey(xOnly);
      var verifier = new BIP340Signer();
      verifier.init(false, key);
      verifier.update(message, 0, message.length);
      return verifier.verifySignature(signature);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
