package io.tpwallet.signing.coordinator;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** The signer nodes the coordinator knows ({@code tpw.signing.nodes}) and how long it waits. */
@ConfigurationProperties("tpw.signing")
public record CoordinatorProperties(
    @Nullable List<Node> nodes,
    @Nullable Duration nodeTimeout,
    @Nullable Duration connectTimeout,
    @Nullable SignerOrder signerOrder,
    @Nullable Batch batch) {

  /**
   * Which t of a key's nodes are asked first: ROTATE spreads the signatures over all of them (the
   * default); ASCENDING always prefers the lowest ids, for runs that must know who signs.
   */
  public enum SignerOrder {
    ROTATE,
    ASCENDING
  }

  public CoordinatorProperties {
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
    signerOrder = signerOrder == null ? SignerOrder.ROTATE : signerOrder;
    nodeTimeout = nodeTimeout == null ? Duration.ofSeconds(5) : nodeTimeout;
    connectTimeout = connectTimeout == null ? Duration.ofSeconds(1) : connectTimeout;
    batch = batch == null ? new Batch(null, null, null, null, null) : batch;
  }

  /**
   * Batching of concurrent REST signing requests of one key ({@code tpw.signing.batch}): at most
   * {@code signaturesMax} signatures (1 turns batching off) per round-one and round-two exchange
   * with each node, gathered for up to {@code linger}, with at most {@code inFlightMax} batches of
   * a key under way at once. Preprocessing: each node hands out up to {@code aheadMax} round-one
   * commitments per key ahead (0 turns it off), which the coordinator keeps for at most {@code
   * aheadTtl}; that must stay below the nodes' {@code tpw.signer.nonce-ttl} (default 60 s).
   */
  public record Batch(
      @Nullable Integer signaturesMax,
      @Nullable Duration linger,
      @Nullable Integer inFlightMax,
      @Nullable Integer aheadMax,
      @Nullable Duration aheadTtl) {
    public static final int SIGNATURES_MAX_LIMIT = 64;
    public static final int AHEAD_MAX_LIMIT = 256;

    public Batch {
      signaturesMax = signaturesMax == null ? 32 : signaturesMax;
      linger = linger == null ? Duration.ofMillis(1) : linger;
      inFlightMax = inFlightMax == null ? 2 : inFlightMax;
      aheadMax = aheadMax == null ? 2 * signaturesMax * inFlightMax : aheadMax;
      aheadTtl = aheadTtl == null ? Duration.ofSeconds(20) : aheadTtl;
      if (signaturesMax < 1 || signaturesMax > SIGNATURES_MAX_LIMIT) {
        throw new IllegalArgumentException(
            "tpw.signing.batch.signatures-max must be 1.." + SIGNATURES_MAX_LIMIT);
      }
      if (inFlightMax < 1 || inFlightMax > 8) {
        throw new IllegalArgumentException("tpw.signing.batch.in-flight-max must be 1..8");
      }
      if (linger.isNegative() || linger.toMillis() > 50) {
        throw new IllegalArgumentException("tpw.signing.batch.linger must be 0..50 ms");
      }
      if (aheadMax < 0 || aheadMax > AHEAD_MAX_LIMIT) {
        throw new IllegalArgumentException(
            "tpw.signing.batch.ahead-max must be 0.." + AHEAD_MAX_LIMIT);
      }
      if (aheadTtl.isNegative() || aheadTtl.toSeconds() > 50) {
        throw new IllegalArgumentException("tpw.signing.batch.ahead-ttl must be 0..50 s");
      }
    }
  }

  /** A signer node: its participant id and base URL. */
  public record Node(int id, URI url) {}
}
