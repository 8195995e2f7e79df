package io.tpwallet.gateway.auth;

import io.tpwallet.gateway.problem.ProblemResponses;
import io.tpwallet.security.AccessTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;

/**
 * The gateway as an OAuth2 resource server. With {@code tpw.gateway.auth.enabled} every request
 * outside a few public paths needs an access token from account-service: ES256 only (RFC 8725: the
 * algorithm comes from this allowlist, never from the token), {@code typ} at+jwt, the configured
 * issuer and audience, {@code exp}/{@code nbf} within the clock skew, a key from the JWKS (an
 * unknown {@code kid} makes one refetch, then fails). Each route needs its scope. 401 and 403 are
 * problem details. Switched off, the chain lets everything through and adds nothing.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
@EnableConfigurationProperties(AuthProperties.class)
class SecurityConfiguration {

  private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

  @Bean
  SecurityWebFilterChain gatewaySecurity(
      ServerHttpSecurity http, AuthProperties properties, ProblemResponses problems) {
    http.csrf(ServerHttpSecurity.CsrfSpec::disable)
        .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
        .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
        .logout(ServerHttpSecurity.LogoutSpec::disable)
        .requestCache(cache -> cache.disable())
        .securityContextRepository(NoOpServerSecurityContextRepository.getInstance());
    if (!properties.enabled()) {
      log.warn(
          "Gateway authentication is OFF (tpw.gateway.auth.enabled=false): requests pass without"
              + " access tokens");
      return http.headers(ServerHttpSecurity.HeaderSpec::disable)
          .authorizeExchange(exchanges -> exchanges.anyExchange().permitAll())
          .build();
    }
    return http.authorizeExchange(
            exchanges ->
                exchanges
                    .pathMatchers("/actuator/**")
                    .permitAll()
                    // The services' OpenAPI documents describe the API; they hold no data.
                    .pathMatchers(HttpMethod.GET, "/v3/api-docs", "/v3/api-docs/*")
                    .permitAll()
                    // Sign-up, login, refresh and the client-credentials token endpoint.
                    .pathMatchers(
                        HttpMethod.POST,
                        "/v1/accounts/customers",
                        "/v1/accounts/sessions",
                        "/v1/accounts/sessions/refresh",
                        "/v1/accounts/oauth2/token")
                    .permitAll()
                    .pathMatchers("/admin/**")
                    .hasAuthority("SCOPE_admin:gateway")
                    .pathMatchers(HttpMethod.GET, "/v1/payments", "/v1/payments/**")
                    .hasAuthority("SCOPE_payments:read")
                    .pathMatchers("/v1/payments", "/v1/payments/**")
                    .hasAuthority("SCOPE_payments:write")
                    .pathMatchers(HttpMethod.GET, "/v1/ledger", "/v1/ledger/**")
                    .hasAuthority("SCOPE_ledger:read")
                    .pathMatchers("/v1/ledger", "/v1/ledger/**")
                    .hasAuthority("SCOPE_ledger:write")
                    // account-service checks the scope and the ownership of each object itself.
                    .anyExchange()
                    .authenticated())
        .oauth2ResourceServer(
            resource ->
                resource
                    .jwt(jwt -> {})
                    .authenticationEntryPoint(
                        (exchange, e) ->
                            problems.write(
                                exchange,
                                HttpStatus.UNAUTHORIZED,
                                "unauthorized",
                                AccessTokens.UNAUTHORIZED_DETAIL,
                                h ->
                                    h.set(
                                        "WWW-Authenticate", AccessTokens.CHALLENGE_INVALID_TOKEN)))
                    .accessDeniedHandler(
                        (exchange, e) ->
                            problems.write(
                                exchange,
                                HttpStatus.FORBIDDEN,
                                "forbidden",
                                "The access token does not carry the scope this request needs.",
                                h ->
                                    h.set(
                                        "WWW-Authenticate",
                                        AccessTokens.CHALLENGE_INSUFFICIENT_SCOPE))))
        .build();
  }

  /** Made either way (it fetches nothing until the first token), so Boot adds no default user. */
  @Bean
  ReactiveJwtDecoder jwtDecoder(AuthProperties properties) {
    NimbusReactiveJwtDecoder decoder =
        NimbusReactiveJwtDecoder.withJwkSetUri(properties.jwkSetUri())
            .jwsAlgorithm(AccessTokens.ALGORITHM)
            .validateType(false)
            .jwtProcessorCustomizer(AccessTokens::requireAccessTokenType)
            .build();
    decoder.setJwtValidator(
        AccessTokens.validator(properties.issuer(), properties.audience(), properties.clockSkew()));
    return decoder;
  }
}
