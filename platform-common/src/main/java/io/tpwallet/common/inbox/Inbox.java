package io.tpwallet.common.inbox;

import io.cloudevents.CloudEvent;
import io.tpwallet.common.event.Envelope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies each consumed event at most once per consumer: the event id is recorded in the same
 * database transaction as the event's effect, so a redelivery (after a crash before the Kafka
 * offset was committed, or a duplicate from the relay) finds it and does nothing.
 */
public class Inbox {

  /** The most records one {@link #applyAll} takes: one poll of a batch listener, bounded. */
  public static final int BATCH_RECORDS_MAX = 10_000;

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

  /**
   * The batch form of {@link #apply}, for a batch listener: parses the records of one poll with
   * {@code parse} and, in one transaction, records their event ids with one statement and runs
   * {@code effect} once with the parsed events this consumer had not applied yet, in record order
   * (an event repeated inside the batch counts once, at its first place). Returns how many were
   * applied.
   *
   * <p>A record that {@code parse} refuses is not retried here: the records before it are applied
   * and committed, then a {@link BatchListenerFailedException} names it, so that the platform's
   * error handler commits the offsets before it, parks it on the dead-letter topic when its cause
   * is one it never retries (a malformed event) and delivers the records after it again.
   */
  public <T> int applyAll(
      String consumer,
      List<ConsumerRecord<String, byte[]>> records,
      Function<CloudEvent, T> parse,
      Consumer<List<T>> effect) {
    if (records.size() > BATCH_RECORDS_MAX) {
      throw new IllegalStateException(
          "a batch has at most " + BATCH_RECORDS_MAX + " records, not " + records.size());
    }
    Map<String, T> parsed = new LinkedHashMap<>();
    List<String> topics = new ArrayList<>(records.size());
    RuntimeException refused = null;
    int refusedAt = -1;
    for (int i = 0; i < records.size(); i++) {
      ConsumerRecord<String, byte[]> record = records.get(i);
      T value;
      String id;
      try {
        CloudEvent event = Envelope.deserialize(record.value());
        id = Envelope.id(event).toString();
        value = parse.apply(event);
      } catch (RuntimeException e) {
        refused = e;
        refusedAt = i;
        break;
      }
      if (!parsed.containsKey(id)) {
        parsed.put(id, value);
        topics.add(record.topic());
      }
    }
    int applied = parsed.isEmpty() ? 0 : applyParsed(consumer, parsed, topics, effect);
    if (refused != null) {
      throw new BatchListenerFailedException(
          consumer + " cannot read a record: " + refused.getMessage(), refused, refusedAt);
    }
    return applied;
  }

  private <T> int applyParsed(
      String consumer, Map<String, T> parsed, List<String> topics, Consumer<List<T>> effect) {
    String[] ids = parsed.keySet().toArray(String[]::new);
    Integer applied =
        tx.execute(
            status -> {
              Set<String> fresh =
                  new HashSet<>(
                      jdbc.sql(
                              """
                              insert into inbox_event (consumer, event_id, topic)
                              select ?, e.id::uuid, e.topic
                              from unnest(?::text[], ?::text[]) as e(id, topic)
                              on conflict do nothing
                              returning event_id::text""")
                          .params(consumer, ids, topics.toArray(String[]::new))
                          .query(String.class)
                          .list());
              List<T> toApply = new ArrayList<>(fresh.size());
              parsed.forEach(
                  (id, value) -> {
                    if (fresh.contains(id)) {
                      toApply.add(value);
                    }
                  });
              if (!toApply.isEmpty()) {
                effect.accept(toApply);
              }
              return toApply.size();
            });
    int n = applied == null ? 0 : applied;
    if (n < ids.length) {
      log.debug("{} skipped {} redelivered events", consumer, ids.length - n);
    }
    return n;
  }
}
