package io.tpwallet.routing.payment;

import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Who makes or reads a payment, from the verified access token.
 *
 * @param holder the account holder the caller acts for: the token's {@code cid} (a customer, a
 *     merchant or an enterprise, as account-service issues it); null for an operations client
 * @param operations an operations (back-office) client: no holder, scope {@code admin:accounts};
 *     may read every payment and make none
 * @param checked false only when the service runs with authentication off (a dev run)
 */
record Caller(@Nullable UUID holder, boolean operations, boolean checked) {

  static final Caller UNCHECKED = new Caller(null, false, false);
  static final String OPERATIONS_SCOPE = "SCOPE_admin:accounts";

  /** The caller of the current request. */
  static Caller current() {
    if (!(SecurityContextHolder.getContext().getAuthentication()
        instanceof JwtAuthenticationToken token)) {
      return UNCHECKED;
    }
    UUID holder = null;
    String cid = token.getToken().getClaimAsString("cid");
    if (cid != null) {
      try {
        holder = UUID.fromString(cid);
      } catch (IllegalArgumentException malformed) {
        holder = null; // not an account-service holder id: treated as no holder at all
      }
    }
    boolean operations =
        holder == null
            && token.getAuthorities().stream()
                .anyMatch(a -> OPERATIONS_SCOPE.equals(a.getAuthority()));
    return new Caller(holder, operations, true);
  }

  /** Whether this caller may see a payment made for {@code owner} (null: made unchecked). */
  boolean maySee(@Nullable UUID owner) {
    return !checked || operations || (holder != null && holder.equals(owner));
  }
}
