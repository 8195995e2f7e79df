package io.tpwallet.account.kyc;

import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.PaymentFinished;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.inbox.Inbox;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Gives a payment's authorised amount back to the payer's limits when the payment ends without
 * moving money (declined by risk or refused by the ledger: {@code tpw.payment.failed.v1}). Its own
 * consumer group, so that it sees every event the webhooks also see.
 */
@Component
class KycSpendRelease {

  private final Inbox inbox;
  private final Envelope envelope;
  private final Kyc kyc;

  KycSpendRelease(Inbox inbox, Envelope envelope, Kyc kyc) {
    this.inbox = inbox;
    this.envelope = envelope;
    this.kyc = kyc;
  }

  @KafkaListener(topics = Topics.PAYMENT_FAILED, groupId = "account-service.kyc-release")
  void onPaymentFailed(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        "account.kyc-release",
        record,
        event -> kyc.release(envelope.data(event, PaymentFinished.class).paymentId()));
  }
}
