package io.tpwallet.common.outbox;

import io.cloudevents.CloudEvent;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Writes events to the outbox table in the caller's database transaction, so that an event exists
 * if and only if the state change it announces was committed. The {@link OutboxRelay} publishes
 * them.
 */
public class Outbox {

  private final JdbcClient jdbc;
  private final Envelope envelope;

  public Outbox(JdbcClient jdbc, Envelope envelope) {
    this.jdbc = jdbc;
    this.envelope = envelope;
  }

  /**
   * Adds an event about {@code aggregateId} to {@code topic}. Must run inside the transaction that
   * makes the change: without one it fails rather than publish an event for a change that may roll
   * back.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public CloudEvent add(String topic, String aggregateId, Object data) {
    CloudEvent event = envelope.wrap(Topics.typeOf(topic), aggregateId, data);
    jdbc.sql(
            """
            insert into outbox_event (event_id, topic, aggregate_id, event_type, payload)
            values (?, ?, ?, ?, ?)""")
        .params(
            Envelope.id(event),
            topic,
            aggregateId,
            event.getType(),
            Objects.requireNonNull(Envelope.serialize(event)))
        .update();
    return event;
  }

  /** An event to add: its topic, the aggregate it is about (the Kafka key) and its data. */
  public record Message(String topic, String aggregateId, Object data) {}

  /**
   * Adds many events in one statement, in order, in the caller's transaction: what a batch of
   * changes announces costs one round trip instead of one per event.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public void addAll(List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    int n = messages.size();
    String[] ids = new String[n];
    String[] topics = new String[n];
    String[] aggregates = new String[n];
    String[] types = new String[n];
    byte[][] payloads = new byte[n][];
    // One time for the events of one statement: they announce changes of one transaction.
    OffsetDateTime time = envelope.now();
    for (int i = 0; i < n; i++) {
      Message m = messages.get(i);
      String type = Topics.typeOf(m.topic());
      Envelope.Encoded event = envelope.encode(type, m.aggregateId(), m.data(), time);
      ids[i] = event.id().toString();
      topics[i] = m.topic();
      aggregates[i] = m.aggregateId();
      types[i] = type;
      payloads[i] = event.bytes();
    }
    // with ordinality keeps the events' order in the outbox's sequence.
    jdbc.sql(
            """
            insert into outbox_event (event_id, topic, aggregate_id, event_type, payload)
            select e.id::uuid, e.topic, e.aggregate, e.type, e.payload
            from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bytea[])
                with ordinality as e(id, topic, aggregate, type, payload, n)
            order by e.n""")
        .params(ids, topics, aggregates, types, payloads)
        .update();
  }
}
