package io.tpwallet.routing;

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
 * Plays account-service's token side for routing's tests: an ES256 key, its JWKS on a JDK
 * HttpServer, and access tokens shaped as account-service issues them ({@code cid} = holder).
 */
final class TestTokens {

  static final String ISSUER = "https://accounts.test.tpwallet.io";
  static final ECKey KEY = generate("k1");
  private static final HttpServer JWKS = serveJwks();

  private TestTokens() {}

  static void register(DynamicPropertyRegistry registry) {
    registry.add(
        "tpw.routing.auth.jwk-set-uri",
        () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/.well-known/jwks.json");
    registry.add("tpw.routing.auth.issuer", () -> ISSUER);
  }

  /** A token acting for {@code holder} (null: an operations client) with these scopes. */
  static String token(@Nullable UUID holder, String scope) {
    return token(holder, scope, c -> {});
  }

  static String token(@Nullable UUID holder, String scope, Consumer<JWTClaimsSet.Builder> edit) {
    return sign(KEY, "at+jwt", claims(holder, scope, edit));
  }

  static JWTClaimsSet claims(
      @Nullable UUID holder, String scope, Consumer<JWTClaimsSet.Builder> edit) {
    Instant now = Instant.now();
    var builder =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience("tpwallet-api")
            .subject(holder == null ? "ops-client" : holder.toString())
            .claim("scope", scope)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)))
            .jwtID(UUID.randomUUID().toString());
    if (holder != null) {
      builder.claim("cid", holder.toString());
    }
    edit.accept(builder);
    return builder.build();
  }

  static String sign(ECKey key, String typ, JWTClaimsSet claims) {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(key.getKeyID())
                .type(new JOSEObjectType(typ))
                .build(),
            claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  static ECKey generate(String kid) {
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
