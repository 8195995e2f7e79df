package io.tpwallet.migration.job;

import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferPosted;
import io.tpwallet.common.event.TransferRejected;
import io.tpwallet.common.inbox.Inbox;
import java.sql.Timestamp;
import java.time.Clock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Records the ledger's answer to each migration command (posted or rejected), each answer once
 * through the inbox, so that reconciliation knows which commands are still on their way and which
 * the ledger refused. Answers to transfers that are not the migration's update nothing.
 */
@Component
class LedgerAnswers {

  static final String POSTED_CONSUMER = "migration.transfer-posted";
  static final String REJECTED_CONSUMER = "migration.transfer-rejected";

  private final Inbox inbox;
  private final Envelope envelope;
  private final JdbcClient jdbc;
  private final Clock clock;

  LedgerAnswers(Inbox inbox, Envelope envelope, JdbcClient jdbc, Clock clock) {
    this.inbox = inbox;
    this.envelope = envelope;
    this.jdbc = jdbc;
    this.clock = clock;
  }

  @KafkaListener(topics = Topics.LEDGER_TRANSFER_POSTED)
  void posted(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        POSTED_CONSUMER,
        record,
        event -> {
          TransferPosted posted = envelope.data(event, TransferPosted.class);
          jdbc.sql(
                  """
                  update ledger_command set answer = 'POSTED', answer_code = null,
                    answer_detail = null, answered_at = ?
                  where transfer_id = ? and answer is distinct from 'POSTED'""")
              .params(Timestamp.from(clock.instant()), posted.transferId())
              .update();
        });
  }

  @KafkaListener(topics = Topics.LEDGER_TRANSFER_REJECTED)
  void rejected(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        REJECTED_CONSUMER,
        record,
        event -> {
          TransferRejected rejected = envelope.data(event, TransferRejected.class);
          // A transfer the ledger has posted stays posted: a later rejection of the same id
          // (a second job re-sending it against another state) does not undo the posting.
          jdbc.sql(
                  """
                  update ledger_command set answer = 'REJECTED', answer_code = ?,
                    answer_detail = ?, answered_at = ?
                  where transfer_id = ? and answer is null""")
              .params(
                  rejected.code(),
                  rejected.detail(),
                  Timestamp.from(clock.instant()),
                  rejected.transferId())
              .update();
        });
  }
}
