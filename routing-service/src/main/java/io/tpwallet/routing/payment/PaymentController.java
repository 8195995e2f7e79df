package io.tpwallet.routing.payment;

import io.tpwallet.common.idempotency.IdempotencyKeys;
import java.net.URI;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/payments}: make a payment, and follow it to its final status. */
@RestController
@RequestMapping("/v1/payments")
class PaymentController {

  private final Payments payments;

  PaymentController(Payments payments) {
    this.payments = payments;
  }

  /**
   * Accepts a payment (202): it is then scored by risk and posted by the ledger asynchronously;
   * poll {@code GET /v1/payments/{id}} for the final status. Requires an {@code Idempotency-Key}
   * and a token acting for an account holder, who then owns the payment.
   */
  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<String> create(
      @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String key,
      @RequestHeader(name = "Authorization", required = false) @Nullable String authorization,
      @RequestBody CreatePaymentRequest request) {
    Payments.Answer answer =
        payments.create(IdempotencyKeys.require(key), request, Caller.current(), authorization);
    var response =
        ResponseEntity.status(answer.status())
            .contentType(MediaType.APPLICATION_JSON)
            .header("Idempotent-Replayed", Boolean.toString(answer.replayed()));
    return response.location(URI.create("/v1/payments/" + answer.paymentId())).body(answer.body());
  }

  /** The payment, to its owner (or operations); anyone else gets 404 as for an unknown id. */
  @GetMapping("/{id}")
  Payment get(@PathVariable UUID id) {
    return payments.find(id, Caller.current()).orElseThrow(() -> Payments.notFound(id));
  }
}
