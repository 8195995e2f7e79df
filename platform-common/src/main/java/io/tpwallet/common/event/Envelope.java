package io.tpwallet.common.event;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import io.tpwallet.common.id.Ids;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
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

  private static final String DATA_CONTENT_TYPE = "application/json";

  // The fixed parts of the structured-mode JSON that encode writes between the variable values.
  private static final byte[] ID_PART = ascii("{\"specversion\":\"1.0\",\"id\":\"");
  private static final byte[] DATA_CONTENT_TYPE_PART =
      ascii(",\"datacontenttype\":\"" + DATA_CONTENT_TYPE + "\",\"subject\":");
  private static final byte[] TIME_PART = ascii(",\"time\":");
  private static final byte[] DATA_PART = ascii(",\"data\":");
  private static final byte[] HEX = ascii("0123456789ABCDEF");

  private final URI source;
  private final Clock clock;
  private final JsonMapper json;

  /** What follows the id up to the type's value: the source, escaped once. */
  private final byte[] sourcePart;

  public Envelope(String source, Clock clock, JsonMapper json) {
    this.source = URI.create(source);
    this.clock = clock;
    this.json = json;
    var part = new ByteArrayOutputStream();
    part.writeBytes(ascii("\",\"source\":"));
    writeString(part, this.source.toString());
    part.writeBytes(ascii(",\"type\":"));
    this.sourcePart = part.toByteArray();
  }

  /** A new event of {@code type} about {@code aggregateId} carrying {@code data} as JSON. */
  public CloudEvent wrap(String type, String aggregateId, Object data) {
    return CloudEventBuilder.v1()
        .withId(Ids.newId().toString())
        .withSource(source)
        .withType(type)
        .withSubject(aggregateId)
        .withTime(OffsetDateTime.now(clock))
        .withDataContentType(DATA_CONTENT_TYPE)
        .withData(json.writeValueAsBytes(data))
        .build();
  }

  /** A new event's id and its structured-mode bytes, as {@link #serialize} would write them. */
  public record Encoded(UUID id, byte[] bytes) {}

  /**
   * A new event of {@code type} about {@code aggregateId} with {@code data}, encoded straight to
   * the bytes that {@code serialize(wrap(type, aggregateId, data))} writes (same attributes, same
   * order, same escaping), without building the SDK's event and writing it with a second JSON
   * library: what the outbox stores for every event, so it is the hot path of every batch.
   *
   * @param time the event's time, {@link #now()}; one value may serve all events of one commit
   */
  public Encoded encode(String type, String aggregateId, Object data, OffsetDateTime time) {
    UUID id = Ids.newId();
    return new Encoded(id, encode(id, type, aggregateId, time, json.writeValueAsBytes(data)));
  }

  /** The time a new event carries: now, on this envelope's clock. */
  public OffsetDateTime now() {
    return OffsetDateTime.now(clock);
  }

  /**
   * The structured-mode JSON of one event, attribute for attribute what the SDK's {@link
   * JsonFormat} writes for an event built as {@link #wrap} builds it: the context attributes in the
   * SDK's order, then {@code data} as the raw JSON bytes of the payload.
   */
  byte[] encode(UUID id, String type, String subject, OffsetDateTime time, byte[] data) {
    var out = new ByteArrayOutputStream(192 + data.length);
    out.writeBytes(ID_PART);
    out.writeBytes(ascii(id.toString()));
    out.writeBytes(sourcePart);
    writeString(out, type);
    out.writeBytes(DATA_CONTENT_TYPE_PART);
    writeString(out, subject);
    out.writeBytes(TIME_PART);
    writeString(out, DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time));
    out.writeBytes(DATA_PART);
    out.writeBytes(data);
    out.write('}');
    return out.toByteArray();
  }

  /**
   * A JSON string as the SDK's (Jackson 2) generator writes it: quote and backslash escaped, the
   * control characters as \b \t \n \f \r or else \\u00XX, each half of a surrogate pair as \\uXXXX
   * (that generator does not combine them), everything else as UTF-8.
   */
  private static void writeString(ByteArrayOutputStream out, String s) {
    out.write('"');
    int plain = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c)) {
        continue;
      }
      out.writeBytes(s.substring(plain, i).getBytes(StandardCharsets.UTF_8));
      plain = i + 1;
      out.write('\\');
      switch (c) {
        case '"', '\\' -> out.write(c);
        case '\b' -> out.write('b');
        case '\t' -> out.write('t');
        case '\n' -> out.write('n');
        case '\f' -> out.write('f');
        case '\r' -> out.write('r');
        default -> {
          out.write('u');
          out.write(HEX[c >> 12]);
          out.write(HEX[(c >> 8) & 0xF]);
          out.write(HEX[(c >> 4) & 0xF]);
          out.write(HEX[c & 0xF]);
        }
      }
    }
    out.writeBytes(s.substring(plain).getBytes(StandardCharsets.UTF_8));
    out.write('"');
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
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
