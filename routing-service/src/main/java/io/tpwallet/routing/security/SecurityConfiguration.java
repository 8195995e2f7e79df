package io.tpwallet.routing.security;

import io.tpwallet.common.problem.ProblemResponses;
import io.tpwallet.security.AccessTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import tools.jackson.databind.json.JsonMapper;

/**
 * routing-service checks every payment request's access token itself, as the gateway did: ES256
 * only (RFC 8725), {@code typ} at+jwt, account-service's issuer and audience, {@code exp}/{@code
 * nbf} within the clock skew, a key from account-service's JWKS; {@code payments:write} to pay,
 * {@code payments:read} to look. So a request that reaches the service some other way than through
 * the gateway gains nothing. 401 and 403 are problem details.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuthProperties.class)
class SecurityConfiguration {

  private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

  @Bean
  SecurityFilterChain api(HttpSecurity http, AuthProperties properties, JsonMapper json)
      throws Exception {
    http.csrf(csrf -> csrf.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .logout(l -> l.disable())
        .requestCache(c -> c.disable());
    if (!properties.enabled()) {
      log.warn(
          "routing-service authentication is OFF (tpw.routing.auth.enabled=false): payments are"
              + " made and read without access tokens or ownership checks");
      return http.headers(h -> h.disable())
          .authorizeHttpRequests(a -> a.anyRequest().permitAll())
          .build();
    }
    return http.authorizeHttpRequests(
            authorize ->
                authorize
                    .requestMatchers("/actuator/**", "/error", "/v3/api-docs")
                    .permitAll()
                    .requestMatchers(HttpMethod.GET, "/v1/payments/**")
                    .hasAuthority("SCOPE_payments:read")
                    .requestMatchers("/v1/payments", "/v1/payments/**")
                    .hasAuthority("SCOPE_payments:write")
                    .anyRequest()
                    .denyAll())
        .oauth2ResourceServer(
            resource ->
                resource
                    .jwt(jwt -> {})
                    .authenticationEntryPoint(
                        (request, response, e) -> {
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
                          response.setHeader(
                              "WWW-Authenticate", AccessTokens.CHALLENGE_INSUFFICIENT_SCOPE);
                          ProblemResponses.write(
                              json,
                              request,
                              response,
                              HttpStatus.FORBIDDEN,
                              "forbidden",
                              "The access token does not carry the scope this request needs.");
                        }))
        .build();
  }

  /** Made either way (it fetches nothing until the first token), so Boot adds no default user. */
  @Bean
  JwtDecoder jwtDecoder(AuthProperties properties) {
    NimbusJwtDecoder decoder =
        NimbusJwtDecoder.withJwkSetUri(properties.jwkSetUri())
            .jwsAlgorithm(AccessTokens.ALGORITHM)
            .validateType(false)
            .jwtProcessorCustomizer(AccessTokens::requireAccessTokenType)
            .build();
    decoder.setJwtValidator(
        AccessTokens.validator(properties.issuer(), properties.audience(), properties.clockSkew()));
    return decoder;
  }
}
