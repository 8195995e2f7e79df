package io.tpwallet.account.approval;

import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Approval policies of enterprises, payment approval requests and the approvers' votes. */
@RestController
@RequestMapping("/v1/accounts")
class ApprovalController {

  private final Approvals approvals;

  ApprovalController(Approvals approvals) {
    this.approvals = approvals;
  }

  /** Makes an individual an approver of the enterprise (operations). */
  @PostMapping("/enterprises/{id}/approvers")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void addApprover(@PathVariable UUID id, @RequestBody Approvals.NewMember body) {
    approvals.addApprover(id, body);
  }

  /** The M-of-N policy for one asset (operations). */
  @PutMapping("/enterprises/{id}/approval-policy")
  Approvals.Policy policy(@PathVariable UUID id, @RequestBody Approvals.PolicyRequest body) {
    return approvals.setPolicy(id, body);
  }

  /** Asks whether a payment needs approvals: 201 PENDING, or NOT_REQUIRED with its attestation. */
  @PostMapping("/enterprises/{id}/approvals")
  ResponseEntity<Approvals.Request> request(
      @PathVariable UUID id, @RequestBody Approvals.NewRequest body) {
    return ResponseEntity.status(HttpStatus.CREATED).body(approvals.request(id, body));
  }

  @GetMapping("/approvals/{id}")
  Approvals.Request get(@PathVariable UUID id) {
    return approvals.get(id);
  }

  @PostMapping("/approvals/{id}/approve")
  Approvals.Request approve(@PathVariable UUID id) {
    return approvals.vote(id, true);
  }

  @PostMapping("/approvals/{id}/reject")
  Approvals.Request reject(@PathVariable UUID id) {
    return approvals.vote(id, false);
  }
}
