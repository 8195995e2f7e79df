package io.tpwallet.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Plays account-service's token side for a resource server's tests (the gateway, routing-service):
 * one ES256 key, its JWKS on a JDK HttpServer on loopback, and access tokens signed with it the way
 * account-service signs them (typ at+jwt, issuer, audience, five minutes). Tests forge the bad
 * tokens themselves with {@link #claims}, {@link #sign} and {@link #generate}.
 */
public final class TestAccessTokens {

  public static final String ISSUER = "https://accounts.test.tpwallet.io";
  public static final String AUDIENCE = "tpwallet-api";
  public static final ECKey KEY = generate("k1");
  private static final HttpServer JWKS = serveJwks();

  private TestAccessTokens() {}

  /**
   * Points a service's token check at this JWKS and issuer: {@code prefix} is its properties'
   * prefix, {@code tpw.gateway.auth} or {@code tpw.routing.auth}.
   */
  public static void register(DynamicPropertyRegistry registry, String prefix) {
    registry.add(prefix + ".jwk-set-uri", TestAccessTokens::jwkSetUri);
    registry.add(prefix + ".issuer", () -> ISSUER);
  }

  public static String jwkSetUri() {
    return "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/.well-known/jwks.json";
  }

  /** A valid access token of {@code subject} with these space-separated scopes. */
  public static String token(String subject, String scope) {
    return token(subject, scope, c -> {});
  }

  /** A token of {@code subject} whose claims {@code edit} may change before it is signed. */
  public static String token(String subject, String scope, Consumer<JWTClaimsSet.Builder> edit) {
    return sign(KEY, "at+jwt", claims(subject, scope, Instant.now(), edit));
  }

  public static JWTClaimsSet claims(
      String subject, String scope, Instant now, Consumer<JWTClaimsSet.Builder> edit) {
    var builder =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .subject(subject)
            .claim("scope", scope)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)))
            .jwtID(UUID.randomUUID().toString());
    edit.accept(builder);
    return builder.build();
  }

  /** Signs ES256 with {@code key}; a null {@code typ} leaves the header's type out. */
  public static String sign(ECKey key, @Nullable String typ, JWTClaimsSet claims) {
    var header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID());
    if (typ != null) {
      header.type(new JOSEObjectType(typ));
    }
    SignedJWT jwt = new SignedJWT(header.build(), claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  public static ECKey generate(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpServer serveJwks() {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      byte[] jwks = new JWKSet(KEY.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
      server.createContext(
          "/.well-known/jwks.json",
          exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
          });
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
