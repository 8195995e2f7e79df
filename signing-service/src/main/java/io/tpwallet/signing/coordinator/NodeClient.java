package io.tpwallet.signing.coordinator;

import io.tpwallet.common.thread.DaemonThreads;
import io.tpwallet.signing.wire.Wire;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.json.JsonMapper;

/** Calls one signer node; tells a node that is down apart from one that answered no. */
final class NodeClient {

  /** The node could not be reached, timed out or failed internally: try another subset. */
  static final class Unavailable extends RuntimeException {
    final int node;

    Unavailable(int node, String message) {
      super("node " + node + ": " + message);
      this.node = node;
    }
  }

  /** The node answered with a problem: it refuses this request. */
  static final class Refused extends RuntimeException {
    final int node;
    final int status;
    final String type;
    final @Nullable String reason;
    final Map<String, Object> problem;

    Refused(
        int node,
        int status,
        String type,
        String detail,
        @Nullable String reason,
        Map<String, Object> problem) {
      super("node " + node + ": " + detail);
      this.node = node;
      this.status = status;
      this.type = type;
      this.reason = reason;
      this.problem = problem;
    }
  }

  static final int BODY_WRITER_THREADS = 32;

  /**
   * Writes request bodies into the HTTP client. Without one, Spring's JDK request factory starts a
   * new thread for every request body, which the profile of the signing benchmark showed as the
   * coordinator's largest CPU cost after the curve arithmetic.
   */
  private static final ExecutorService BODY_WRITERS =
      Executors.newFixedThreadPool(BODY_WRITER_THREADS, DaemonThreads.named("node-client-body"));

  final int id;
  private final RestClient rest;
  private final JsonMapper json;

  NodeClient(CoordinatorProperties.Node node, CoordinatorProperties properties, JsonMapper json) {
    this.id = node.id();
    this.json = json;
    // HTTP/1.1 with the client's keep-alive pool: no h2c upgrade attempt on each new connection.
    var http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(properties.connectTimeout())
            .build();
    var factory = new JdkClientHttpRequestFactory(http, BODY_WRITERS);
    factory.setReadTimeout(properties.nodeTimeout());
    this.rest = RestClient.builder().baseUrl(node.url().toString()).requestFactory(factory).build();
  }

  Wire.Round1 dkgRound1(Wire.DkgRound1Request r) {
    return post("/v1/node/dkg/round1", r, Wire.Round1.class);
  }

  Wire.DkgRound2Response dkgRound2(Wire.DkgRound2Request r) {
    return post("/v1/node/dkg/round2", r, Wire.DkgRound2Response.class);
  }

  Wire.DkgFinishResponse dkgFinish(Wire.DkgFinishRequest r) {
    return post("/v1/node/dkg/finish", r, Wire.DkgFinishResponse.class);
  }

  Wire.CommitResponse commit(Wire.CommitRequest r) {
    return post("/v1/node/sign/round1", r, Wire.CommitResponse.class);
  }

  Wire.SignResponse sign(Wire.SignRequest r) {
    return post("/v1/node/sign/round2", r, Wire.SignResponse.class);
  }

  Wire.CommitBatchResponse commitBatch(Wire.CommitBatchRequest r) {
    return post("/v1/node/sign/round1-batch", r, Wire.CommitBatchResponse.class);
  }

  Wire.SignBatchResponse signBatch(Wire.SignBatchRequest r) {
    return post("/v1/node/sign/round2-batch", r, Wire.SignBatchResponse.class);
  }

  /** An item of a batched round two that the node refused, as if it had been asked alone. */
  Refused refusedItem(Wire.ItemProblem p) {
    Map<String, Object> problem = new java.util.HashMap<>();
    if (p.properties() != null) {
      problem.putAll(p.properties());
    }
    problem.put("type", p.type());
    problem.put("detail", p.detail());
    problem.put("status", p.status());
    return new Refused(id, p.status(), p.type(), p.detail(), p.reason(), problem);
  }

  Wire.RefreshRound1 refreshRound1(Wire.RefreshRound1Request r) {
    return post("/v1/node/refresh/round1", r, Wire.RefreshRound1.class);
  }

  Wire.DkgRound2Response refreshRound2(Wire.RefreshRound2Request r) {
    return post("/v1/node/refresh/round2", r, Wire.DkgRound2Response.class);
  }

  Wire.DkgFinishResponse refreshFinish(Wire.RefreshFinishRequest r) {
    return post("/v1/node/refresh/finish", r, Wire.DkgFinishResponse.class);
  }

  Wire.RefreshEndResponse refreshCommit(Wire.RefreshEndRequest r) {
    return post("/v1/node/refresh/commit", r, Wire.RefreshEndResponse.class);
  }

  Wire.RefreshEndResponse refreshAbort(Wire.RefreshEndRequest r) {
    return post("/v1/node/refresh/abort", r, Wire.RefreshEndResponse.class);
  }

  /** One step of a share repair: {@code POST /v1/node/repair/<step>}. */
  <T> T repair(String step, Object body, Class<T> type) {
    return post("/v1/node/repair/" + step, body, type);
  }

  private <T> T post(String path, Object body, Class<T> type) {
    try {
      return Objects.requireNonNull(rest.post().uri(path).body(body).retrieve().body(type));
    } catch (ResourceAccessException e) {
      throw new Unavailable(
          id, "unreachable (" + e.getMostSpecificCause().getClass().getSimpleName() + ")");
    } catch (RestClientResponseException e) {
      if (e.getStatusCode().is5xxServerError()) {
        throw new Unavailable(id, "answered " + e.getStatusCode().value());
      }
      Map<String, Object> problem = parse(e.getResponseBodyAsString());
      Object reason = problem.get("reason");
      throw new Refused(
          id,
          e.getStatusCode().value(),
          String.valueOf(problem.getOrDefault("type", "about:blank")),
          String.valueOf(problem.getOrDefault("detail", e.getStatusText())),
          reason == null ? null : reason.toString(),
          problem);
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> parse(String body) {
    try {
      return json.readValue(body, Map.class);
    } catch (RuntimeException e) {
      return Map.of();
    }
  }
}
