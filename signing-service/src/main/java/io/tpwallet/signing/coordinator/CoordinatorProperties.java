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
    @Nullable SignerOrder signerOrder) {

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
  }

  /** A signer node: its participant id and base URL. */
  public record Node(int id, URI url) {}
}
