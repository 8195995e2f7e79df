package io.tpwallet.common.inbox;

import io.cloudevents.CloudEvent;
import io.tpwallet.common.event.Envelope;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies each consumed event at most once per consumer: the event id is recorded in the same
 * database transaction as the event's effect, so a redelivery (after a crash before the Kafka
 * offset was committed, or a duplicate from the relay) finds it and does nothing.
 */
public class Inbox {

  private static final Logger log = LoggerFactory.getLogger(Inbox.class);

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;

  public Inbox(JdbcClient jdbc, TransactionTemplate tx) {
    this.jdbc = jdbc;
    this.tx = tx;
  }

  /**
   * Parses the record as a CloudEvent and, unless {@code consumer} has already applied it, runs
   * {@code effect} and records the event in one transaction. Returns whether the effect ran.
   */
  public boolean apply(
      String consumer, ConsumerRecord<String, byte[]> record, Consumer<CloudEvent> effect) {
    CloudEvent event = Envelope.deserialize(record.value());
    Boolean applied =
        tx.execute(
            status -> {
              int fresh =
                  jdbc.sql(
                          """
                          insert into inbox_event (consumer, event_id, topic) values (?, ?, ?)
                          on conflict do nothing""")
                      .params(consumer, Envelope.id(event), record.topic())
                      .update();
              if (fresh == 0) {
                return false;
              }
              effect.accept(event);
              return true;
            });
    if (!Boolean.TRUE.equals(applied)) {
      log.debug("{} skipped redelivered event {} from {}", consumer, event.getId(), record.topic());
      return false;
    }
    return true;
  }
}
