package io.tpwallet.account.keys;

import io.tpwallet.security.AccessTokens;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How access tokens are made and checked ({@code tpw.account.tokens.*}).
 *
 * @param issuer the {@code iss} of every token; the gateway checks the same value
 * @param audience the {@code aud} of every token
 * @param accessTokenTtl short on purpose: a stolen access token is good for minutes
 * @param refreshTokenTtl how long a device's session lasts without use
 * @param clockSkew the leeway on {@code exp}/{@code nbf} (at most 60 s, RFC 8725 spirit)
 * @param keyRotation how long one key signs before the next takes over
 */
@ConfigurationProperties("tpw.account.tokens")
public record TokenProperties(
    @DefaultValue("http://127.0.0.1:8081") String issuer,
    @DefaultValue("tpwallet-api") String audience,
    @DefaultValue("5m") Duration accessTokenTtl,
    @DefaultValue("30d") Duration refreshTokenTtl,
    @DefaultValue("60s") Duration clockSkew,
    @DefaultValue("24h") Duration keyRotation) {

  public TokenProperties {
    AccessTokens.requireClockSkew(clockSkew);
    if (accessTokenTtl.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("tpw.account.tokens.access-token-ttl must be <= 1h");
    }
  }
}
