package io.tpwallet.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;

class AccessTokensTests {

  private static final String ISSUER = "https://accounts.tpwallet.test";
  private static final String AUDIENCE = "tpwallet-api";

  private final OAuth2TokenValidator<Jwt> validator =
      AccessTokens.validator(ISSUER, AUDIENCE, Duration.ofSeconds(30));

  @Test
  void anAccessTokenOfThisIssuerAndAudienceWithinItsTimeIsValid() {
    assertThat(validator.validate(jwt(b -> {})).hasErrors()).isFalse();
  }

  @Test
  void otherIssuerAudienceTypeOrTimeIsRefused() {
    Instant now = Instant.now();
    List<Consumer<Jwt.Builder>> wrong =
        List.of(
            b -> b.issuer("https://evil.example"),
            b -> b.audience(List.of("another-api")),
            b -> b.header("typ", "JWT"),
            b -> b.issuedAt(now.minusSeconds(400)).expiresAt(now.minusSeconds(31)),
            b -> b.notBefore(now.plusSeconds(31)));
    for (Consumer<Jwt.Builder> edit : wrong) {
      assertThat(validator.validate(jwt(edit)).hasErrors()).isTrue();
    }
  }

  @Test
  void expiryWithinTheSkewIsStillValid() {
    Instant now = Instant.now();
    Jwt late = jwt(b -> b.issuedAt(now.minusSeconds(300)).expiresAt(now.minusSeconds(20)));
    assertThat(validator.validate(late).hasErrors()).isFalse();
  }

  @Test
  void aServiceCheckAddedAfterTheCommonOnesRunsToo() {
    OAuth2TokenValidator<Jwt> withSession =
        AccessTokens.validator(
            ISSUER,
            AUDIENCE,
            Duration.ZERO,
            jwt ->
                "revoked".equals(jwt.getClaimAsString("sid"))
                    ? OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token"))
                    : OAuth2TokenValidatorResult.success());
    assertThat(withSession.validate(jwt(b -> b.claim("sid", "live"))).hasErrors()).isFalse();
    assertThat(withSession.validate(jwt(b -> b.claim("sid", "revoked"))).hasErrors()).isTrue();
  }

  @Test
  void clockSkewIsBoundedToSixtySeconds() {
    assertThat(AccessTokens.requireClockSkew(Duration.ofSeconds(60)))
        .isEqualTo(Duration.ofSeconds(60));
    assertThatThrownBy(() -> AccessTokens.requireClockSkew(Duration.ofSeconds(61)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AccessTokens.requireClockSkew(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Jwt jwt(Consumer<Jwt.Builder> edit) {
    Instant now = Instant.now();
    Jwt.Builder builder =
        Jwt.withTokenValue("t")
            .header("alg", "ES256")
            .header("typ", AccessTokens.TYPE)
            .issuer(ISSUER)
            .audience(List.of(AUDIENCE))
            .subject("alice")
            .issuedAt(now)
            .notBefore(now)
            .expiresAt(now.plusSeconds(300));
    edit.accept(builder);
    return builder.build();
  }
}
