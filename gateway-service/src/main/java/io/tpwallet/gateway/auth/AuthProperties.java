package io.tpwallet.gateway.auth;

import io.tpwallet.security.AccessTokens;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tpw.gateway.auth.*}: whether the gateway requires access tokens, and how it checks them.
 *
 * @param enabled on by default; {@code TPW_GATEWAY_AUTH_ENABLED=false} lets a dev run call without
 *     tokens
 * @param jwkSetUri account-service's JWKS
 * @param issuer the only {@code iss} accepted
 * @param audience the {@code aud} a token must name
 * @param clockSkew leeway on {@code exp} and {@code nbf}; at most 60 s
 */
@ConfigurationProperties("tpw.gateway.auth")
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
