package io.tpwallet.common.outbox;

import io.cloudevents.CloudEvent;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.id.Ids;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
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
   * Adds an event about {@code topic}'s aggregate {@code aggregateId} in a row of its own. Must run
   * inside the transaction that makes the change: without one it fails rather than publish an event
   * for a change that may roll back. Returns the event as consumers will read it.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public CloudEvent add(String topic, String aggregateId, Object data) {
    return Envelope.deserialize(insertOne(topic, aggregateId, data));
  }

  private byte[] insertOne(String topic, String aggregateId, Object data) {
    String type = Topics.typeOf(topic);
    Envelope.Encoded event = envelope.encode(type, aggregateId, data, envelope.now());
    jdbc.sql(
            """
            insert into outbox_event (event_id, topic, aggregate_id, event_type, payload)
            values (?, ?, ?, ?, ?)""")
        .params(event.id(), topic, aggregateId, type, event.bytes())
        .update();
    return event.bytes();
  }

  /** An event to add: its topic, the aggregate it is about (the Kafka key) and its data. */
  public record Message(String topic, String aggregateId, Object data) {}

  /**
   * Adds many events in one statement, in order, in the caller's transaction. One event is a row of
   * its own, as {@link #add} writes it; more are framed into group rows of up to 1,000 events and
   * ~1 MiB of CloudEvent bytes each (a call of 16,000 events is 16 rows), which the relay sends as
   * the same Kafka records, in the same order, as one row per event would be: what a batch of
   * changes announces costs a few rows and one round trip.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public void addAll(List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    if (messages.size() == 1) {
      Message m = messages.get(0);
      insertOne(m.topic(), m.aggregateId(), m.data());
      return;
    }
    // One time for the events of one statement: they announce changes of one transaction.
    OffsetDateTime time = envelope.now();
    List<OutboxGroup.Event> events = new ArrayList<>(messages.size());
    for (Message m : messages) {
      Envelope.Encoded event =
          envelope.encode(Topics.typeOf(m.topic()), m.aggregateId(), m.data(), time);
      events.add(new OutboxGroup.Event(event.id(), m.topic(), m.aggregateId(), event.bytes()));
    }
    List<List<OutboxGroup.Event>> groups = OutboxGroup.split(events);
    int n = groups.size();
    String[] ids = new String[n];
    byte[][] payloads = new byte[n][];
    for (int i = 0; i < n; i++) {
      // The group's own id: the row's event_id stays unique and no event's id names two rows.
      ids[i] = Ids.newId().toString();
      payloads[i] = OutboxGroup.encode(groups.get(i));
    }
    // with ordinality keeps the groups' order in the outbox's sequence.
    jdbc.sql(
            """
            insert into outbox_event (event_id, topic, aggregate_id, event_type, payload)
            select e.id::uuid, ?, ?, ?, e.payload
            from unnest(?::text[], ?::bytea[]) with ordinality as e(id, payload, n)
            order by e.n""")
        .params(OutboxGroup.TYPE, OutboxGroup.TYPE, OutboxGroup.TYPE, ids, payloads)
        .update();
  }
}
