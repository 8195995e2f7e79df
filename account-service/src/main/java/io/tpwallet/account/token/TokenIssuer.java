package io.tpwallet.account.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tpwallet.account.keys.SigningKeys;
import io.tpwallet.account.keys.TokenProperties;
import io.tpwallet.common.id.Ids;
import io.tpwallet.security.AccessTokens;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/**
 * Signs access tokens (RFC 9068 JWT profile): ES256 with the current key, {@code typ} at+jwt,
 * {@code iss}, {@code aud}, {@code sub}, {@code client_id}, {@code scope}, {@code iat}/{@code
 * nbf}/{@code exp}, {@code jti}; {@code cid} names the account holder the caller acts for and
 * {@code sid} the login session of a user.
 */
@Service
public class TokenIssuer {

  private final SigningKeys keys;
  private final TokenProperties properties;
  private final Clock clock;

  TokenIssuer(SigningKeys keys, TokenProperties properties, Clock clock) {
    this.keys = keys;
    this.properties = properties;
    this.clock = clock;
  }

  /** A signed access token and how long it lasts. */
  public record AccessToken(String value, long expiresInSeconds, String scope) {}

  public AccessToken issue(
      String subject,
      String clientId,
      @Nullable UUID customerId,
      @Nullable UUID sessionId,
      Set<String> scopes) {
    Instant now = clock.instant();
    String scope = String.join(" ", scopes);
    var claims =
        new JWTClaimsSet.Builder()
            .issuer(properties.issuer())
            .audience(properties.audience())
            .subject(subject)
            .claim("client_id", clientId)
            .claim("scope", scope)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(properties.accessTokenTtl())))
            .jwtID(Ids.newId().toString());
    if (customerId != null) {
      claims.claim("cid", customerId.toString());
    }
    if (sessionId != null) {
      claims.claim("sid", sessionId.toString());
    }
    String jwt = sign(AccessTokens.TYPE, claims.build());
    return new AccessToken(jwt, properties.accessTokenTtl().toSeconds(), scope);
  }

  /**
   * Signs other statements of this service (an approval for the signer nodes) with the same key,
   * under their own {@code typ} so that one can never pass for an access token.
   */
  public String sign(String type, JWTClaimsSet claims) {
    ECKey key = keys.signingKey();
    var header =
        new JWSHeader.Builder(JWSAlgorithm.ES256)
            .type(new JOSEObjectType(type))
            .keyID(key.getKeyID())
            .build();
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a " + type, e);
    }
    return jwt.serialize();
  }

  /** The issuer every signed statement names. */
  public String issuer() {
    return properties.issuer();
  }

  /** How long a signed statement is good for: a key is served that long after it retires. */
  public java.time.Duration statementTtl() {
    return properties.accessTokenTtl();
  }
}
