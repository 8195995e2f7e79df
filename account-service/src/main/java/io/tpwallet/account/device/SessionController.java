package io.tpwallet.account.device;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/accounts/sessions|devices}: login, refresh, and the user's devices and sessions. */
@RestController
@RequestMapping("/v1/accounts")
class SessionController {

  private final Sessions sessions;

  SessionController(Sessions sessions) {
    this.sessions = sessions;
  }

  /** Login (public): e-mail, password and a device; answers an access and a refresh token. */
  @PostMapping("/sessions")
  ResponseEntity<Sessions.Tokens> login(@RequestBody Sessions.LoginRequest body) {
    return ResponseEntity.status(HttpStatus.CREATED)
        .cacheControl(CacheControl.noStore())
        .body(sessions.login(body));
  }

  /** Refresh (public): the refresh token plus a proof signed by the device's key. */
  @PostMapping("/sessions/refresh")
  ResponseEntity<Sessions.Tokens> refresh(@RequestBody Sessions.RefreshRequest body) {
    return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(sessions.refresh(body));
  }

  @GetMapping("/sessions")
  List<Sessions.Session> sessions() {
    return sessions.sessions();
  }

  @DeleteMapping("/sessions/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void revoke(@PathVariable UUID id) {
    sessions.revokeSession(id);
  }

  /** Logs out everywhere. */
  @DeleteMapping("/sessions")
  Map<String, Integer> revokeAll() {
    return Map.of("revoked", sessions.revokeAll());
  }

  @GetMapping("/devices")
  List<Sessions.Device> devices() {
    return sessions.devices();
  }

  @DeleteMapping("/devices/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void revokeDevice(@PathVariable UUID id) {
    sessions.revokeDevice(id);
  }

  /** A risk signal ends every session of the customer at once (operations). */
  @PostMapping("/admin/customers/{id}/risk-signals")
  Map<String, Integer> riskSignal(
      @PathVariable UUID id, @RequestBody(required = false) @Nullable Map<String, String> body) {
    return Map.of("revoked", sessions.riskSignal(id, body == null ? null : body.get("reason")));
  }
}
