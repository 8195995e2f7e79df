package io.tpwallet.account.wallet;

import io.tpwallet.common.event.AccountOpenRejected;
import io.tpwallet.common.event.AccountOpened;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.inbox.Inbox;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** The ledger's answers to the wallets' open commands, each applied once through the inbox. */
@Component
class WalletLedgerListener {

  private final Inbox inbox;
  private final Envelope envelope;
  private final Wallets wallets;

  WalletLedgerListener(Inbox inbox, Envelope envelope, Wallets wallets) {
    this.inbox = inbox;
    this.envelope = envelope;
    this.wallets = wallets;
  }

  @KafkaListener(topics = {Topics.LEDGER_ACCOUNT_OPENED, Topics.LEDGER_ACCOUNT_OPEN_REJECTED})
  void onLedgerAnswer(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        "account.wallet-ledger-answers",
        record,
        event -> {
          if (record.topic().equals(Topics.LEDGER_ACCOUNT_OPENED)) {
            wallets.onAccountOpened(envelope.data(event, AccountOpened.class));
          } else {
            wallets.onAccountOpenRejected(envelope.data(event, AccountOpenRejected.class));
          }
        });
  }
}
