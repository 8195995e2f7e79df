package io.tpwallet.account.access;

import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Who is calling, from a verified access token.
 *
 * @param subject the token's {@code sub}: a customer id (user login) or a client id
 * @param customerId the account holder the caller acts for; null for an operations client
 * @param sessionId the login session of a user token; null for a client-credentials token
 */
public record Caller(
    String subject, @Nullable UUID customerId, @Nullable UUID sessionId, Set<String> scopes) {

  public static final Caller ANONYMOUS = new Caller("anonymous", null, null, Set.of());

  public boolean has(String scope) {
    return scopes.contains(scope);
  }

  public boolean isAdmin() {
    return has(Scopes.ADMIN_ACCOUNTS);
  }
}
