package io.tpwallet.migration.job;

import io.tpwallet.common.autoconfig.PlatformKafkaAutoConfiguration;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransfersAnswered;
import io.tpwallet.common.inbox.Inbox;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Records the ledger's answer to each migration command (posted or rejected), each batched answer
 * once through the inbox, so that reconciliation knows which commands are still on their way and
 * which the ledger refused. Answers to transfers that are not the migration's update nothing.
 */
@Component
class LedgerAnswers {

  static final String ANSWERED_CONSUMER = "migration.transfers-answered";

  /**
   * The most batched answers one poll hands the listener: up to 512 transfers each, so a poll
   * answers up to 16,384 commands with two updates.
   */
  static final int POLL_RECORDS_MAX = 32;

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
   * Answers are taken a poll at a time, each poll with one inbox statement and two updates: the
   * ledger answers a migration's commands as fast as it posts them (thousands a second), and an
   * update per answer would make this the bound of the migration's end-to-end time.
   */
  @KafkaListener(
      topics = Topics.LEDGER_TRANSFERS_ANSWERED,
      containerFactory = PlatformKafkaAutoConfiguration.BATCH_LISTENER_FACTORY,
      properties = "max.poll.records=" + POLL_RECORDS_MAX)
  void answered(List<ConsumerRecord<String, byte[]>> records) {
    inbox.applyAll(
        ANSWERED_CONSUMER,
        records,
        event -> envelope.data(event, TransfersAnswered.class),
        answered -> {
          List<TransfersAnswered.Answer> answers = new ArrayList<>();
          answered.forEach(a -> answers.addAll(a.answers()));
          record(answers);
        });
  }

  /**
   * Records answers, in the inbox's transaction. A posting wins over any rejection, whichever comes
   * first: a transfer the ledger has posted stays posted, and a later rejection of the same id (a
   * second job re-sending it against another state) does not undo it. Of the rejections of an id
   * the first counts.
   */
  private void record(List<TransfersAnswered.Answer> answers) {
    Set<UUID> posted = new LinkedHashSet<>();
    Map<UUID, TransfersAnswered.Answer> rejected = new LinkedHashMap<>();
    for (TransfersAnswered.Answer a : answers) {
      if (a.transferId() == null) {
        // Can never be applied: IllegalArgumentException parks the record.
        throw new IllegalArgumentException("TransfersAnswered with an answer without transferId");
      }
      if (a.posted()) {
        posted.add(a.transferId());
      } else {
        rejected.putIfAbsent(a.transferId(), a);
      }
    }
    Timestamp now = Timestamp.from(clock.instant());
    if (!posted.isEmpty()) {
      jdbc.sql(
              """
              update ledger_command set answer = 'POSTED', answer_code = null,
                answer_detail = null, answered_at = ?
              where transfer_id = any(?) and answer is distinct from 'POSTED'""")
          .params(now, posted.toArray(UUID[]::new))
          .update();
    }
    rejected.keySet().removeAll(posted);
    if (rejected.isEmpty()) {
      return;
    }
    int n = rejected.size();
    UUID[] ids = new UUID[n];
    String[] codes = new String[n];
    String[] details = new String[n];
    int i = 0;
    for (TransfersAnswered.Answer r : rejected.values()) {
      ids[i] = r.transferId();
      codes[i] = r.result();
      details[i] = r.detail();
      i++;
    }
    jdbc.sql(
            """
            update ledger_command c set answer = 'REJECTED', answer_code = r.code,
              answer_detail = r.detail, answered_at = ?
            from unnest(?::uuid[], ?::text[], ?::text[]) as r(id, code, detail)
            where c.transfer_id = r.id and c.answer is null""")
        .params(now, ids, codes, details)
        .update();
  }
}
