package io.tpwallet.routing.payment;

import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.RiskDecided;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferPosted;
import io.tpwallet.common.event.TransferRejected;
import io.tpwallet.common.inbox.Inbox;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** The saga's inputs from Kafka, each applied once through the inbox. */
@Component
class PaymentSaga {

  private final Inbox inbox;
  private final Envelope envelope;
  private final Payments payments;

  PaymentSaga(Inbox inbox, Envelope envelope, Payments payments) {
    this.inbox = inbox;
    this.envelope = envelope;
    this.payments = payments;
  }

  @KafkaListener(topics = Topics.RISK_DECIDED)
  void riskDecided(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        "routing.risk-decided",
        record,
        event -> payments.onRiskDecided(envelope.data(event, RiskDecided.class)));
  }

  @KafkaListener(topics = Topics.LEDGER_TRANSFER_POSTED)
  void transferPosted(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        "routing.transfer-posted",
        record,
        event -> payments.onTransferPosted(envelope.data(event, TransferPosted.class)));
  }

  @KafkaListener(topics = Topics.LEDGER_TRANSFER_REJECTED)
  void transferRejected(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        "routing.transfer-rejected",
        record,
        event -> payments.onTransferRejected(envelope.data(event, TransferRejected.class)));
  }
}
