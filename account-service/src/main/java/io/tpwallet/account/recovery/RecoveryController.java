package io.tpwallet.account.recovery;

import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Guardians, the recovery policy, recoveries and the customer's notices. */
@RestController
@RequestMapping("/v1/accounts")
class RecoveryController {

  private final Recoveries recoveries;
  private final Notifications notifications;

  RecoveryController(Recoveries recoveries, Notifications notifications) {
    this.recoveries = recoveries;
    this.notifications = notifications;
  }

  @PostMapping("/customers/{id}/guardians")
  ResponseEntity<Recoveries.Guardians> addGuardian(
      @PathVariable UUID id, @RequestBody Recoveries.NewGuardian body) {
    return ResponseEntity.status(HttpStatus.CREATED).body(recoveries.addGuardian(id, body));
  }

  @GetMapping("/customers/{id}/guardians")
  Recoveries.Guardians guardians(@PathVariable UUID id) {
    return recoveries.guardiansView(id);
  }

  @PutMapping("/customers/{id}/recovery-policy")
  Recoveries.Guardians policy(@PathVariable UUID id, @RequestBody Recoveries.Policy body) {
    return recoveries.setPolicy(id, body);
  }

  /** Public: starts a recovery; the answer's recoveryToken completes it later. */
  @PostMapping("/recoveries")
  ResponseEntity<Recoveries.Recovery> request(@RequestBody Recoveries.NewRecovery body) {
    return ResponseEntity.status(HttpStatus.CREATED).body(recoveries.request(body));
  }

  @GetMapping("/recoveries/{id}")
  Recoveries.Recovery get(@PathVariable UUID id) {
    return recoveries.get(id);
  }

  @PostMapping("/recoveries/{id}/approve")
  Recoveries.Recovery approve(@PathVariable UUID id) {
    return recoveries.approve(id);
  }

  @PostMapping("/recoveries/{id}/cancel")
  Recoveries.Recovery cancel(@PathVariable UUID id) {
    return recoveries.cancel(id);
  }

  /** Public, with the recovery token: completes an approved recovery after its delay. */
  @PostMapping("/recoveries/{id}/complete")
  Recoveries.Recovery complete(@PathVariable UUID id, @RequestBody Recoveries.Completion body) {
    return recoveries.complete(id, body);
  }

  @GetMapping("/notifications")
  List<Notifications.Notification> notifications() {
    return notifications.mine();
  }
}
