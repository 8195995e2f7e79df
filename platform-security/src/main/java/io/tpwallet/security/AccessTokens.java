package io.tpwallet.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;

/**
 * What makes an access token valid anywhere on the platform. A decoder built with {@link
 * #ALGORITHM} and {@link #requireAccessTokenType} and given {@link #validator} accepts a token only
 * when:
 *
 * <ul>
 *   <li>it is signed ES256 with a key from the JWKS: the algorithm comes from this allowlist, never
 *       from the token's header (RFC 8725 §3.1), so {@code none}, HS256 keyed with the public key
 *       and RS256 are refused;
 *   <li>its header says {@code typ} at+jwt (RFC 9068), so an ID token or any other JWT signed by
 *       the same key is not an access token;
 *   <li>{@code exp} and {@code nbf} hold within the clock skew, {@code iss} is the configured
 *       issuer and {@code aud} names the configured audience.
 * </ul>
 *
 * Each service builds its own decoder (reactive or servlet, JWKS by URL or in-process) from these
 * pieces, so that the rule set cannot drift between the gateway and the services behind it.
 */
public final class AccessTokens {

  /** RFC 9068 access tokens. */
  public static final String TYPE = "at+jwt";

  /** The only signature algorithm accepted. */
  public static final SignatureAlgorithm ALGORITHM = SignatureAlgorithm.ES256;

  /** The largest clock skew a service may be configured with. */
  public static final Duration CLOCK_SKEW_MAX = Duration.ofSeconds(60);

  /** {@code WWW-Authenticate} of a 401: no token, or one that is not valid (RFC 6750 §3). */
  public static final String CHALLENGE_INVALID_TOKEN = "Bearer error=\"invalid_token\"";

  /** {@code WWW-Authenticate} of a 403: a valid token without the scope needed (RFC 6750 §3). */
  public static final String CHALLENGE_INSUFFICIENT_SCOPE = "Bearer error=\"insufficient_scope\"";

  /** The detail of a 401 problem. */
  public static final String UNAUTHORIZED_DETAIL = "A valid access token is required.";

  private AccessTokens() {}

  /**
   * The Nimbus processor customisation every decoder gets: the header's {@code typ} must be at+jwt.
   * (Spring's own type check is turned off where it would also accept a missing type.)
   */
  public static <C extends SecurityContext> void requireAccessTokenType(
      ConfigurableJWTProcessor<C> processor) {
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType(TYPE)));
  }

  /**
   * The claim checks: time within {@code clockSkew}, issuer, audience, type; then {@code more}
   * (account-service adds its revoked-session check).
   */
  @SafeVarargs
  public static OAuth2TokenValidator<Jwt> validator(
      String issuer, String audience, Duration clockSkew, OAuth2TokenValidator<Jwt>... more) {
    List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
    validators.add(new JwtTimestampValidator(requireClockSkew(clockSkew)));
    validators.add(new JwtIssuerValidator(issuer));
    validators.add(new JwtAudienceValidator(audience));
    validators.add(new JwtTypeValidator(TYPE));
    validators.addAll(List.of(more));
    return new DelegatingOAuth2TokenValidator<>(validators);
  }

  /** Refuses a negative skew or one above {@link #CLOCK_SKEW_MAX}; answers it otherwise. */
  public static Duration requireClockSkew(Duration clockSkew) {
    if (clockSkew.isNegative() || clockSkew.compareTo(CLOCK_SKEW_MAX) > 0) {
      throw new IllegalArgumentException(
          "an access token clock skew must be 0..60s, not " + clockSkew);
    }
    return clockSkew;
  }
}
