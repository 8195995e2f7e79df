package io.tpwallet.account.token;

import io.tpwallet.account.access.Scopes;
import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The OAuth2 token endpoint for API clients (RFC 6749 4.4, client credentials), written with
 * nimbus-jose-jwt rather than Spring Authorization Server: the only grant needed here is client
 * credentials, and users log in through {@code /v1/accounts/sessions} with a device-bound refresh
 * token, which the authorization server has no grant for. Errors are problem details that also
 * carry the RFC 6749 {@code error} code.
 */
@RestController
class TokenController {

  static final URI INVALID_CLIENT = ProblemTypes.of("invalid-client");
  static final URI INVALID_GRANT = ProblemTypes.of("invalid-grant");

  private final ApiClients clients;
  private final TokenIssuer issuer;
  private final AuditLog audit;

  TokenController(ApiClients clients, TokenIssuer issuer, AuditLog audit) {
    this.clients = clients;
    this.issuer = issuer;
    this.audit = audit;
  }

  /** Client credentials: HTTP Basic (preferred) or client_id/client_secret in the form. */
  @PostMapping(
      path = "/v1/accounts/oauth2/token",
      consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
  ResponseEntity<Map<String, Object>> token(
      @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) @Nullable String basic,
      @RequestParam MultiValueMap<String, String> form) {
    String grant = form.getFirst("grant_type");
    if (!"client_credentials".equals(grant)) {
      throw oauth(
          HttpStatus.BAD_REQUEST,
          INVALID_GRANT,
          "unsupported_grant_type",
          "Only grant_type=client_credentials is served here; users log in at /v1/accounts/sessions.");
    }
    String[] credentials = credentials(basic, form);
    var client =
        credentials == null
            ? java.util.Optional.<ApiClients.Client>empty()
            : clients.authenticate(credentials[0], credentials[1]);
    if (client.isEmpty()) {
      audit.refused(
          credentials == null ? "anonymous" : credentials[0],
          "token.client-credentials",
          null,
          "bad client credentials");
      throw oauth(
          HttpStatus.UNAUTHORIZED,
          INVALID_CLIENT,
          "invalid_client",
          "The client is unknown, disabled, or the secret is wrong.");
    }
    Set<String> granted = client.get().scopes();
    String asked = form.getFirst("scope");
    if (asked != null && !asked.isBlank()) {
      Set<String> wanted = Scopes.parse(asked);
      if (!granted.containsAll(wanted)) {
        audit.refused(
            client.get().clientId(),
            "token.client-credentials",
            null,
            "scope beyond the client's: " + asked);
        throw oauth(
            HttpStatus.BAD_REQUEST,
            INVALID_GRANT,
            "invalid_scope",
            "The client may not ask for a scope it was not given.");
      }
      granted = wanted;
    }
    UUID holder = client.get().customerId();
    var token =
        issuer.issue(client.get().clientId(), client.get().clientId(), holder, null, granted);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", token.value());
    body.put("token_type", "Bearer");
    body.put("expires_in", token.expiresInSeconds());
    body.put("scope", token.scope());
    return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(body);
  }

  /** A merchant's API client (operations only); the secret is in this answer only. */
  @PostMapping("/v1/accounts/merchants/{id}/api-clients")
  ResponseEntity<ApiClients.Created> create(
      @PathVariable UUID id, @RequestBody ApiClients.NewClient body) {
    return ResponseEntity.status(HttpStatus.CREATED)
        .cacheControl(CacheControl.noStore())
        .body(clients.create(id, body));
  }

  private static String @Nullable [] credentials(
      @Nullable String basic, MultiValueMap<String, String> form) {
    if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded =
            new String(
                Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon < 0
            ? null
            : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    String id = form.getFirst("client_id");
    String secret = form.getFirst("client_secret");
    return id == null || secret == null ? null : new String[] {id, secret};
  }

  private static ProblemException oauth(HttpStatus status, URI type, String error, String detail) {
    return new ProblemException(
        status, type, status.getReasonPhrase(), detail, Map.of("error", error));
  }
}
