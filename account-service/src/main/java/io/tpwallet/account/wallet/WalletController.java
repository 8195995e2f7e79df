package io.tpwallet.account.wallet;

import io.tpwallet.account.kyc.Kyc;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/accounts/...wallets}: a holder's wallets per asset, and a payment's limit check. */
@RestController
@RequestMapping("/v1/accounts")
class WalletController {

  private final Wallets wallets;

  WalletController(Wallets wallets) {
    this.wallets = wallets;
  }

  /** Opens the holder's wallet of an asset (201, OPENING) or answers the existing one (200). */
  @PostMapping("/customers/{id}/wallets")
  ResponseEntity<Wallet> open(@PathVariable UUID id, @RequestBody Wallets.NewWallet body) {
    Wallets.Opening opening = wallets.open(id, body);
    Wallet wallet = opening.wallet();
    return ResponseEntity.status(opening.created() ? HttpStatus.CREATED : HttpStatus.OK)
        .location(URI.create("/v1/accounts/wallets/" + wallet.id()))
        .body(wallet);
  }

  @GetMapping("/customers/{id}/wallets")
  List<Wallet> list(@PathVariable UUID id) {
    return wallets.listOf(id);
  }

  @GetMapping("/wallets/{id}")
  Wallet get(@PathVariable UUID id) {
    return wallets.get(id);
  }

  /** Counts a payment from the wallet against its holder's KYC limits, or refuses it (422). */
  @PostMapping("/wallets/{id}/limits/authorizations")
  Kyc.Authorization authorize(@PathVariable UUID id, @RequestBody Kyc.AuthorizationRequest body) {
    return wallets.authorize(id, body);
  }
}
