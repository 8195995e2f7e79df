package io.tpwallet.signing.coordinator;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** The signer nodes the coordinator knows ({@code tpw.signing.nodes}) and how long it waits. */
@ConfigurationProperties("tpw.signing")
public record CoordinatorProperties(
    @Nullable List<Node> nodes, @Nullable Duration nodeTimeout, @Nullable Duration connectTimeout) {

  public CoordinatorProperties {
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
    nodeTimeout = nodeTimeout == null ? Duration.ofSeconds(5) : nodeTimeout;
    connectTimeout = connectTimeout == null ? Duration.ofSeconds(1) : connectTimeout;
  }

  /** A signer node: its participant id and base URL. */
  public record Node(int id, URI url) {}
}
