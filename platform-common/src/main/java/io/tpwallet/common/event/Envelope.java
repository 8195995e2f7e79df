package io.tpwallet.common.event;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import io.tpwallet.common.id.Ids;
import java.net.URI;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wraps domain events in CloudEvents 1.0 (structured JSON mode) and unwraps them. The event id is a
 * UUIDv7 that consumers use to drop redeliveries; the subject is the aggregate id, which is also
 * the Kafka key so that one aggregate's events stay in order.
 */
public final class Envelope {

  public static final String CONTENT_TYPE = JsonFormat.CONTENT_TYPE;

  private static final EventFormat FORMAT = new JsonFormat();

  private final URI source;
  private final Clock clock;
  private final JsonMapper json;

  public Envelope(String source, Clock clock, JsonMapper json) {
    this.source = URI.create(source);
    this.clock = clock;
    this.json = json;
  }

  /** A new event of {@code type} about {@code aggregateId} carrying {@code data} as JSON. */
  public CloudEvent wrap(String type, String aggregateId, Object data) {
    return CloudEventBuilder.v1()
        .withId(Ids.newId().toString())
        .withSource(source)
        .withType(type)
        .withSubject(aggregateId)
        .withTime(OffsetDateTime.now(clock))
        .withDataContentType("application/json")
        .withData(json.writeValueAsBytes(data))
        .build();
  }

  public static byte[] serialize(CloudEvent event) {
    return FORMAT.serialize(event);
  }

  public static CloudEvent deserialize(byte[] structured) {
    return FORMAT.deserialize(structured);
  }

  /** The event's data read as {@code type}. */
  public <T> T data(CloudEvent event, Class<T> type) {
    var data = Objects.requireNonNull(event.getData(), "event " + event.getId() + " has no data");
    return json.readValue(data.toBytes(), type);
  }

  public static UUID id(CloudEvent event) {
    return UUID.fromString(event.getId());
  }
}
