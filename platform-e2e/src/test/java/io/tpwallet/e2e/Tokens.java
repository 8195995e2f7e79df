package io.tpwallet.e2e;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * Access tokens got the real way, from account-service through the gateway: a customer's login
 * (password plus a new device's P-256 key) and OAuth2 client credentials. Each token is fetched
 * again before it expires (5 min), since the test class with its restarts can outlast one.
 */
final class Tokens {

  private static final Duration REUSE = Duration.ofMinutes(3);

  private Tokens() {}

  /** Client credentials of an API client (operations, merchant). */
  static Supplier<String> client(Api gateway, String clientId, String secret) {
    String basic =
        Base64.getEncoder()
            .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
    return cached(
        () -> {
          var reply =
              gateway.postForm(
                  "/v1/accounts/oauth2/token",
                  "grant_type=client_credentials",
                  "Authorization",
                  "Basic " + basic);
          if (reply.status() != 200) {
            throw new AssertionError("no token for " + clientId + ": " + reply.body());
          }
          return reply.text("access_token");
        });
  }

  /** Signs a customer up and answers their login tokens; {@code customerId} gets the id. */
  static Supplier<String> customer(Api gateway, String email, String[] customerId) {
    String password = "e2e-password-" + email;
    var signUp =
        gateway.post(
            "/v1/accounts/customers",
            null,
            """
            {"displayName":"%s","email":"%s","password":"%s"}"""
                .formatted(email, email, password));
    if (signUp.status() != 201) {
      throw new AssertionError("sign-up refused: " + signUp.status() + " " + signUp.body());
    }
    customerId[0] = signUp.text("id");
    return cached(
        () -> {
          ECPublicKey key = deviceKey();
          var login =
              gateway.post(
                  "/v1/accounts/sessions",
                  null,
                  """
                  {"email":"%s","password":"%s","deviceName":"e2e","devicePublicJwk":\
                  {"kty":"EC","crv":"P-256","x":"%s","y":"%s"}}"""
                      .formatted(
                          email,
                          password,
                          coordinate(key.getW().getAffineX()),
                          coordinate(key.getW().getAffineY())));
          if (login.status() != 201) {
            throw new AssertionError("login refused: " + login.status() + " " + login.body());
          }
          return login.text("accessToken");
        });
  }

  private static Supplier<String> cached(Supplier<String> fetch) {
    return new Supplier<>() {
      private String token = "";
      private Instant fetched = Instant.MIN;

      @Override
      public synchronized String get() {
        if (Instant.now().isAfter(fetched.plus(REUSE))) {
          token = fetch.get();
          fetched = Instant.now();
        }
        return token;
      }
    };
  }

  private static ECPublicKey deviceKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return (ECPublicKey) generator.generateKeyPair().getPublic();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String coordinate(BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] fixed = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, fixed, 32 - copy, copy);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
  }
}
