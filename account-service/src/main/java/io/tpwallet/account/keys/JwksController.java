package io.tpwallet.account.keys;

import io.tpwallet.account.access.Access;
import io.tpwallet.account.access.Scopes;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** The public keys of the access tokens (RFC 7517), and the operators' rotation. */
@RestController
class JwksController {

  private final SigningKeys keys;
  private final Access access;

  JwksController(SigningKeys keys, Access access) {
    this.keys = keys;
    this.access = access;
  }

  /** JWKS: every key a valid token may name in its {@code kid}. */
  @GetMapping(path = "/.well-known/jwks.json", produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<Map<String, Object>> jwks() {
    // Short cache: a new key must reach the resource servers well within a token's lifetime.
    return ResponseEntity.ok()
        .cacheControl(CacheControl.maxAge(java.time.Duration.ofMinutes(1)))
        .body(keys.publicKeys().toJSONObject(true));
  }

  /** Makes a new signing key now (needs {@code admin:accounts}; audited). */
  @PostMapping("/v1/accounts/admin/signing-keys/rotate")
  Map<String, String> rotate() {
    var caller = access.require(Scopes.ADMIN_ACCOUNTS, "signing-key.rotate");
    return Map.of("kid", keys.rotate(caller.subject()));
  }
}
