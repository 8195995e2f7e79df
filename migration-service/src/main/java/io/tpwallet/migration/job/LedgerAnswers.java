package io.tpwallet.migration.job;

import io.tpwallet.common.autoconfig.PlatformKafkaAutoConfiguration;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferPosted;
import io.tpwallet.common.event.TransferRejected;
import io.tpwallet.common.inbox.Inbox;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

  /** The most answers one poll hands a listener. */
  static final int POLL_RECORDS_MAX = 2000;

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

  /**
   * Answers are taken a poll at a time, each poll with one inbox statement and one update: the
   * ledger answers a migration's commands as fast as it posts them (thousands a second), and an
   * update per answer would make this the bound of the migration's end-to-end time.
   */
  @KafkaListener(
      topics = Topics.LEDGER_TRANSFER_POSTED,
      containerFactory = PlatformKafkaAutoConfiguration.BATCH_LISTENER_FACTORY,
      properties = "max.poll.records=" + POLL_RECORDS_MAX)
  void posted(List<ConsumerRecord<String, byte[]>> records) {
    inbox.applyAll(
        POSTED_CONSUMER,
        records,
        event -> transferId(envelope.data(event, TransferPosted.class)),
        ids ->
            jdbc.sql(
                    """
                    update ledger_command set answer = 'POSTED', answer_code = null,
                      answer_detail = null, answered_at = ?
                    where transfer_id = any(?) and answer is distinct from 'POSTED'""")
                .params(Timestamp.from(clock.instant()), ids.toArray(UUID[]::new))
                .update());
  }

  @KafkaListener(
      topics = Topics.LEDGER_TRANSFER_REJECTED,
      containerFactory = PlatformKafkaAutoConfiguration.BATCH_LISTENER_FACTORY,
      properties = "max.poll.records=" + POLL_RECORDS_MAX)
  void rejected(List<ConsumerRecord<String, byte[]>> records) {
    inbox.applyAll(
        REJECTED_CONSUMER,
        records,
        event -> envelope.data(event, TransferRejected.class),
        rejections -> {
          // The first rejection of an id counts, as when they were applied one by one.
          Map<UUID, TransferRejected> first = new LinkedHashMap<>();
          for (TransferRejected r : rejections) {
            if (r.transferId() != null) {
              first.putIfAbsent(r.transferId(), r);
            }
          }
          int n = first.size();
          UUID[] ids = new UUID[n];
          String[] codes = new String[n];
          String[] details = new String[n];
          int i = 0;
          for (TransferRejected r : first.values()) {
            ids[i] = r.transferId();
            codes[i] = r.code();
            details[i] = r.detail();
            i++;
          }
          // A transfer the ledger has posted stays posted: a later rejection of the same id
          // (a second job re-sending it against another state) does not undo the posting.
          jdbc.sql(
                  """
                  update ledger_command c set answer = 'REJECTED', answer_code = r.code,
                    answer_detail = r.detail, answered_at = ?
                  from unnest(?::uuid[], ?::text[], ?::text[]) as r(id, code, detail)
                  where c.transfer_id = r.id and c.answer is null""")
              .params(Timestamp.from(clock.instant()), ids, codes, details)
              .update();
        });
  }

  /** An answer without its id can never be applied: IllegalArgumentException parks it. */
  private static UUID transferId(TransferPosted posted) {
    if (posted.transferId() == null) {
      throw new IllegalArgumentException("TransferPosted without transferId");
    }
    return posted.transferId();
  }
}
