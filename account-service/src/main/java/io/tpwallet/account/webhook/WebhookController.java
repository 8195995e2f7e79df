package io.tpwallet.account.webhook;

import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/accounts/merchants/{id}/webhooks} and the delivery log with replay. */
@RestController
@RequestMapping("/v1/accounts")
@EnableConfigurationProperties(WebhookProperties.class)
class WebhookController {

  private final Webhooks webhooks;

  WebhookController(Webhooks webhooks) {
    this.webhooks = webhooks;
  }

  /** Subscribes a URL; the answer carries the signing secret, shown only here. */
  @PostMapping("/merchants/{id}/webhooks")
  ResponseEntity<Webhooks.Subscription> subscribe(
      @PathVariable UUID id, @RequestBody Webhooks.NewSubscription body) {
    var subscription = webhooks.subscribe(id, body);
    return ResponseEntity.created(URI.create("/v1/accounts/merchants/" + id + "/webhooks"))
        .body(subscription);
  }

  @GetMapping("/merchants/{id}/webhooks")
  List<Webhooks.Subscription> subscriptions(@PathVariable UUID id) {
    return webhooks.subscriptions(id);
  }

  /** The latest deliveries with each attempt (time, HTTP status or error, duration). */
  @GetMapping("/merchants/{id}/webhooks/deliveries")
  List<Webhooks.Delivery> deliveries(@PathVariable UUID id) {
    return webhooks.deliveries(id);
  }

  /** Sends a delivered or dead delivery again, with a new round of attempts. */
  @PostMapping("/webhooks/deliveries/{id}/replay")
  Webhooks.Delivery replay(@PathVariable UUID id) {
    return webhooks.replay(id);
  }

  @Bean
  static WebhookSecrets webhookSecrets(WebhookProperties properties) {
    return new WebhookSecrets(properties.encryptionKey());
  }
}
