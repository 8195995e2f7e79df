package io.tpwallet.account.security;

import io.tpwallet.account.access.RevokedSessions;
import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.account.keys.SigningKeys;
import io.tpwallet.account.keys.TokenProperties;
import io.tpwallet.common.problem.ProblemResponses;
import io.tpwallet.security.AccessTokens;
import java.util.UUID;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every request except the public ones (sign-up, login, token, JWKS, probes) needs a valid access
 * token: ES256 only (RFC 8725 algorithm allowlist), {@code typ} at+jwt, this issuer and audience,
 * not expired and already valid within the clock skew. 401 and 403 are problem details, audited.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

  @Bean
  SecurityFilterChain api(HttpSecurity http, AuditLog audit, JsonMapper json) throws Exception {
    http.csrf(csrf -> csrf.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .logout(l -> l.disable())
        .requestCache(c -> c.disable())
        .authorizeHttpRequests(
            authorize ->
                authorize
                    .requestMatchers(
                        "/actuator/**", "/.well-known/jwks.json", "/error", "/v3/api-docs")
                    .permitAll()
                    .requestMatchers(
                        HttpMethod.POST,
                        "/v1/accounts/customers",
                        "/v1/accounts/oauth2/token",
                        "/v1/accounts/sessions",
                        "/v1/accounts/sessions/refresh",
                        "/v1/accounts/recoveries",
                        "/v1/accounts/recoveries/*/complete")
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        .oauth2ResourceServer(
            resource ->
                resource
                    .jwt(jwt -> {})
                    .authenticationEntryPoint(
                        (request, response, e) -> {
                          audit.refused(
                              "anonymous", "authenticate", request.getRequestURI(), e.getMessage());
                          response.setHeader(
                              "WWW-Authenticate", AccessTokens.CHALLENGE_INVALID_TOKEN);
                          ProblemResponses.write(
                              json,
                              request,
                              response,
                              HttpStatus.UNAUTHORIZED,
                              "unauthorized",
                              AccessTokens.UNAUTHORIZED_DETAIL);
                        })
                    .accessDeniedHandler(
                        (request, response, e) -> {
                          audit.refused(
                              String.valueOf(
                                  request.getUserPrincipal() == null
                                      ? "anonymous"
                                      : request.getUserPrincipal().getName()),
                              "authorize",
                              request.getRequestURI(),
                              e.getMessage());
                          ProblemResponses.write(
                              json,
                              request,
                              response,
                              HttpStatus.FORBIDDEN,
                              "forbidden",
                              "The access token does not allow this request.");
                        }));
    return http.build();
  }

  @Bean
  JwtDecoder jwtDecoder(
      SigningKeys keys, TokenProperties properties, RevokedSessions revokedSessions) {
    NimbusJwtDecoder decoder =
        NimbusJwtDecoder.withJwkSource(keys.jwkSource())
            .jwsAlgorithm(AccessTokens.ALGORITHM)
            .jwtProcessorCustomizer(AccessTokens::requireAccessTokenType)
            .build();
    decoder.setJwtValidator(
        AccessTokens.validator(
            properties.issuer(),
            properties.audience(),
            properties.clockSkew(),
            liveSession(revokedSessions)));
    return decoder;
  }

  /**
   * A user token names its login session ({@code sid}); once the session is revoked (by the user,
   * on a device revocation or a risk signal) its tokens are refused here at once. The gateway does
   * not look sessions up and accepts them until they expire (at most the access-token TTL).
   */
  static OAuth2TokenValidator<Jwt> liveSession(RevokedSessions revokedSessions) {
    return jwt -> {
      String sid = jwt.getClaimAsString("sid");
      if (sid == null) {
        return OAuth2TokenValidatorResult.success();
      }
      try {
        if (!revokedSessions.isRevoked(UUID.fromString(sid))) {
          return OAuth2TokenValidatorResult.success();
        }
      } catch (IllegalArgumentException malformed) {
        // falls through to the failure
      }
      return OAuth2TokenValidatorResult.failure(
          new OAuth2Error("invalid_token", "The session of this token has ended.", null));
    };
  }
}
