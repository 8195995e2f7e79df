package io.tpwallet.account.access;

import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.net.URI;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;

/**
 * The checks every endpoint makes: the caller has the scope (else 403), and owns the object (else
 * 404, so that another holder's ids do not even reveal that they exist). Every refusal is audited.
 */
@Component
public class Access {

  public static final URI FORBIDDEN = ProblemTypes.of("forbidden");

  private final AuditLog audit;

  Access(AuditLog audit) {
    this.audit = audit;
  }

  /** The caller of the current request; {@link Caller#ANONYMOUS} on a public endpoint. */
  public Caller caller() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (!(auth instanceof JwtAuthenticationToken token)) {
      return Caller.ANONYMOUS;
    }
    Jwt jwt = token.getToken();
    String scope = jwt.getClaimAsString("scope");
    return new Caller(
        jwt.getSubject(),
        uuidClaim(jwt, "cid"),
        uuidClaim(jwt, "sid"),
        Scopes.parse(scope == null ? "" : scope));
  }

  /** The caller, who must hold {@code scope}; 403 (audited) otherwise. */
  public Caller require(String scope, String action) {
    Caller caller = caller();
    if (!caller.has(scope)) {
      audit.refused(caller.subject(), action, null, "missing scope " + scope);
      throw new ProblemException(
          HttpStatus.FORBIDDEN,
          FORBIDDEN,
          "Forbidden",
          "This action needs the scope " + scope + ", which the access token does not carry.");
    }
    return caller;
  }

  /** The caller, who must hold {@code scope} or be an operations client; 403 otherwise. */
  public Caller requireOrAdmin(String scope, String action) {
    Caller caller = caller();
    return caller.isAdmin() ? caller : require(scope, action);
  }

  /**
   * Refuses (404, audited) unless the caller acts for {@code owner} or for its parent (an
   * enterprise over its sub-account), or is an operations client.
   */
  public void requireOwner(
      Caller caller, UUID owner, @Nullable UUID parentOfOwner, String action, String what) {
    if (caller.isAdmin()) {
      return;
    }
    UUID acting = caller.customerId();
    if (acting != null && (acting.equals(owner) || acting.equals(parentOfOwner))) {
      return;
    }
    audit.refused(caller.subject(), action, owner.toString(), "not the owner");
    throw ProblemException.notFound("No " + what + " " + owner + " is visible to the caller.");
  }

  private static @Nullable UUID uuidClaim(Jwt jwt, String name) {
    String value = jwt.getClaimAsString(name);
    if (value == null) {
      return null;
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
