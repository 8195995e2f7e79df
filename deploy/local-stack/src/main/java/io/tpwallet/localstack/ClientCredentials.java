package io.tpwallet.localstack;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The OAuth2 client-credentials token request (RFC 6749 4.4) at account-service's token endpoint.
 */
final class ClientCredentials {

  private ClientCredentials() {}

  /**
   * POST {@code gateway}/v1/accounts/oauth2/token with the client's id and secret as Basic auth.
   */
  static HttpRequest.Builder tokenRequest(
      URI gateway, String clientId, String secret, Duration timeout) {
    String basic =
        Base64.getEncoder()
            .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
    return HttpRequest.newBuilder(URI.create(gateway + "/v1/accounts/oauth2/token"))
        .timeout(timeout)
        .header("Authorization", "Basic " + basic)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"));
  }
}
