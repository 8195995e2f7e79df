package io.tpwallet.common.outbox;

import io.cloudevents.CloudEvent;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
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
}
