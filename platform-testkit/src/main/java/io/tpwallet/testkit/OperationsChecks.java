package io.tpwallet.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What operations checks of every running service: it is live, it is ready only with its database
 * and Kafka up, and its metrics are scrapeable with the {@code application} tag.
 */
public final class OperationsChecks {

  private OperationsChecks() {}

  /** Throws an AssertionError naming the first check that fails. */
  public static void assertOperable(int port, String application) {
    String base = "http://127.0.0.1:" + port;
    expect(get(base + "/actuator/health/liveness"), 200, "\"status\":\"UP\"");
    String readiness = get(base + "/actuator/health/readiness").body();
    for (String part : new String[] {"\"status\":\"UP\"", "\"db\"", "\"kafka\""}) {
      if (!readiness.contains(part)) {
        throw new AssertionError("readiness lacks " + part + ": " + readiness);
      }
    }
    expect(get(base + "/actuator/prometheus"), 200, "application=\"" + application + "\"");
  }

  private static void expect(HttpResponse<String> response, int status, String contains) {
    if (response.statusCode() != status || !response.body().contains(contains)) {
      throw new AssertionError(
          response.uri() + " answered " + response.statusCode() + " without " + contains);
    }
  }

  private static HttpResponse<String> get(String url) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("could not GET " + url, e);
    }
  }
}
