package io.tpwallet.account.migration;

import io.tpwallet.account.customer.LegacyCustomers;
import io.tpwallet.account.wallet.LegacyWallets;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.LegacyCustomerImportRequested;
import io.tpwallet.common.event.LegacyCutoverRecorded;
import io.tpwallet.common.event.LegacyWalletImportRequested;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.inbox.Inbox;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * migration-service's import commands and cutover records, each applied once through the inbox (a
 * redelivery finds its event id and changes nothing). The customer and wallet commands share a
 * listener, so one consumer takes both topics in turn; a wallet that still comes before its
 * customer is parked by {@link LegacyWallets} and imported with the customer.
 */
@Component
class LegacyImportListener {

  private final Inbox inbox;
  private final Envelope envelope;
  private final LegacyCustomers customers;
  private final LegacyWallets wallets;

  LegacyImportListener(
      Inbox inbox, Envelope envelope, LegacyCustomers customers, LegacyWallets wallets) {
    this.inbox = inbox;
    this.envelope = envelope;
    this.customers = customers;
    this.wallets = wallets;
  }

  @KafkaListener(
      topics = {
        Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED,
        Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED
      })
  void onImport(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        "account.legacy-import",
        record,
        event -> {
          if (record.topic().equals(Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED)) {
            var command = envelope.data(event, LegacyCustomerImportRequested.class);
            wallets.holderImported(customers.importCustomer(command));
          } else {
            wallets.importWallet(envelope.data(event, LegacyWalletImportRequested.class));
          }
        });
  }

  @KafkaListener(topics = Topics.MIGRATION_CUTOVER_RECORDED)
  void onCutover(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        "account.legacy-cutover",
        record,
        event -> wallets.applyCutover(envelope.data(event, LegacyCutoverRecorded.class)));
  }
}
