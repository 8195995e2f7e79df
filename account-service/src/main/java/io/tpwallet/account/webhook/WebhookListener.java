package io.tpwallet.account.webhook;

import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.PaymentFinished;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.inbox.Inbox;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** routing-service's final payment statuses, turned into deliveries once through the inbox. */
@Component
class WebhookListener {

  private final Inbox inbox;
  private final Envelope envelope;
  private final Webhooks webhooks;

  WebhookListener(Inbox inbox, Envelope envelope, Webhooks webhooks) {
    this.inbox = inbox;
    this.envelope = envelope;
    this.webhooks = webhooks;
  }

  @KafkaListener(topics = {Topics.PAYMENT_SETTLED, Topics.PAYMENT_FAILED})
  void onPaymentFinished(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        "account.webhooks",
        record,
        event ->
            webhooks.onPaymentFinished(
                Envelope.id(event),
                record.topic().equals(Topics.PAYMENT_SETTLED)
                    ? "payment.settled"
                    : "payment.failed",
                event.getTime() == null ? Instant.now() : event.getTime().toInstant(),
                envelope.data(event, PaymentFinished.class)));
  }
}
