package io.tpwallet.account.kyc;

import java.util.Map;
import java.util.UUID;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/accounts/customers/{id}/kyc|limits}: verification and the tier limits. */
@RestController
@RequestMapping("/v1/accounts/customers/{id}")
@EnableConfigurationProperties(KycProperties.class)
class KycController {

  private final Kyc kyc;

  KycController(Kyc kyc) {
    this.kyc = kyc;
  }

  /** Verifies the next tier with the KYC provider (approved, rejected or review). */
  @PostMapping("/kyc")
  Kyc.Verification verify(@PathVariable UUID id, @RequestBody Kyc.VerificationRequest body) {
    return kyc.verify(id, body);
  }

  @GetMapping("/limits")
  Map<String, Object> limits(@PathVariable UUID id) {
    return kyc.limitsOf(id);
  }

  /** Counts a payment against the limits (200) or refuses it (422 kyc-limit-exceeded). */
  @PostMapping("/limits/authorizations")
  Kyc.Authorization authorize(@PathVariable UUID id, @RequestBody Kyc.AuthorizationRequest body) {
    return kyc.authorize(id, body);
  }
}
