package io.tpwallet.routing;

import com.nimbusds.jwt.JWTClaimsSet;
import io.tpwallet.testkit.TestAccessTokens;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * account-service's tokens as routing-service sees them ({@link TestAccessTokens}): a token acts
 * for a holder ({@code cid}, also its subject), or, without one, for an operations client.
 */
final class TestTokens {

  private TestTokens() {}

  static void register(DynamicPropertyRegistry registry) {
    TestAccessTokens.register(registry, "tpw.routing.auth");
  }

  /** A token acting for {@code holder} (null: an operations client) with these scopes. */
  static String token(@Nullable UUID holder, String scope) {
    return token(holder, scope, c -> {});
  }

  static String token(@Nullable UUID holder, String scope, Consumer<JWTClaimsSet.Builder> edit) {
    return TestAccessTokens.sign(TestAccessTokens.KEY, "at+jwt", claims(holder, scope, edit));
  }

  static JWTClaimsSet claims(
      @Nullable UUID holder, String scope, Consumer<JWTClaimsSet.Builder> edit) {
    return TestAccessTokens.claims(
        holder == null ? "ops-client" : holder.toString(),
        scope,
        Instant.now(),
        builder -> {
          if (holder != null) {
            builder.claim("cid", holder.toString());
          }
          edit.accept(builder);
        });
  }
}
