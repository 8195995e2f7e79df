package io.tpwallet.migration.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One REST call to the runner; a non-2xx answer becomes a {@link Problem}. */
final class RunnerClient {

  /** The runner did not answer (connection refused, timeout). */
  static final class Unreachable extends Exception {
    Unreachable(String message) {
      super(message);
    }
  }

  /** An error answer, with the RFC 9457 fields when the body is a problem detail. */
  static final class Problem extends Exception {
    final int status;
    final @Nullable String type;
    final @Nullable String title;
    final @Nullable String detail;

    Problem(int status, @Nullable String type, @Nullable String title, @Nullable String detail) {
      super(status + " " + title + ": " + detail);
      this.status = status;
      this.type = type;
      this.title = title;
      this.detail = detail;
    }

    /** What an operator reads: status, title, detail and the problem type. */
    String render() {
      StringBuilder out = new StringBuilder("error: HTTP ").append(status);
      if (title != null) {
        out.append(' ').append(title);
      }
      if (detail != null) {
        out.append("\n  ").append(detail);
      }
      if (type != null) {
        out.append("\n  type: ").append(type);
      }
      return out.toString();
    }

    static Problem of(int status, String body, JsonMapper json) {
      try {
        JsonNode p = json.readTree(body);
        return new Problem(status, text(p, "type"), text(p, "title"), text(p, "detail"));
      } catch (JacksonException notJson) {
        return new Problem(status, null, null, body.isBlank() ? null : body.strip());
      }
    }

    private static @Nullable String text(JsonNode node, String field) {
      JsonNode v = node.path(field);
      return v.isMissingNode() || v.isNull() ? null : v.asString();
    }
  }

  private final URI base;
  private final JsonMapper json;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  RunnerClient(URI base, JsonMapper json) {
    this.base = base;
    this.json = json;
  }

  JsonNode get(String path, Duration timeout) throws Problem, Unreachable {
    return json.readTree(call("GET", path, null, timeout));
  }

  String getText(String path, Duration timeout) throws Problem, Unreachable {
    return call("GET", path, null, timeout);
  }

  JsonNode post(String path, @Nullable String body, Duration timeout) throws Problem, Unreachable {
    return json.readTree(call("POST", path, body, timeout));
  }

  private String call(String method, String path, @Nullable String body, Duration timeout)
      throws Problem, Unreachable {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Unreachable(
          "migration-service at " + base + " does not answer (./tpw up starts it): " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted");
    }
    if (response.statusCode() / 100 != 2) {
      throw Problem.of(response.statusCode(), response.body(), json);
    }
    return response.body();
  }
}
