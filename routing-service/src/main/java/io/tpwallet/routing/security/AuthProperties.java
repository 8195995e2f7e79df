package io.tpwallet.routing.security;

import io.tpwallet.security.AccessTokens;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tpw.routing.auth.*}: the access tokens routing-service accepts, the same ones the gateway
 * checks (account-service's JWKS, issuer, audience).
 *
 * @param enabled on by default; {@code TPW_ROUTING_AUTH_ENABLED=false} for a dev run whose gateway
 *     runs without authentication too
 * @param clockSkew leeway on {@code exp} and {@code nbf}; at most 60 s
 */
@ConfigurationProperties("tpw.routing.auth")
public record AuthProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("http://127.0.0.1:8081/.well-known/jwks.json") String jwkSetUri,
    @DefaultValue("http://127.0.0.1:8081") String issuer,
    @DefaultValue("tpwallet-api") String audience,
    @DefaultValue("60s") Duration clockSkew) {

  public AuthProperties {
    AccessTokens.requireClockSkew(clockSkew);
  }
}
