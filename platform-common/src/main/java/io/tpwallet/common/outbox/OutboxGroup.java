package io.tpwallet.common.outbox;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The framing of a group row: many events of one {@link Outbox#addAll} call in one outbox row, so
 * that a batch's events cost a few rows instead of one each. The row is marked by {@link #TYPE} in
 * {@code event_type} (and in {@code topic} and {@code aggregate_id}, which a group has no single
 * value of); its payload is a big-endian event count followed by each event's id, topic, Kafka key
 * and CloudEvent bytes, in the order of the call. The count comes first so that the relay can read
 * it in SQL (the first four bytes) to bound a round by events without reading whole payloads.
 */
public final class OutboxGroup {

  /** What marks a group row; no topic or CloudEvent type of the platform looks like it. */
  public static final String TYPE = "tpw.outbox.group.v1";

  /** The most events one group row holds: a bound on what a relay round sends for one row. */
  static final int EVENTS_MAX = 1_000;

  /**
   * The most CloudEvent bytes one group row holds (one event larger than this still gets a row of
   * its own): a bound on the row PostgreSQL writes to TOAST and the relay holds in memory.
   */
  static final int BYTES_MAX = 1 << 20;

  /** The SQL of a row's event count: 1 for a single-event row, the header for a group row. */
  static final String EVENTS_SQL =
      "case when event_type = '"
          + TYPE
          + "' then ('x' || encode(substring(payload from 1 for 4), 'hex'))::bit(32)::int"
          + " else 1 end";

  private OutboxGroup() {}

  /** One event of a group, as the relay sends it. */
  public record Event(UUID id, String topic, String key, byte[] bytes) {}

  static byte[] encode(List<Event> events) {
    if (events.isEmpty() || events.size() > EVENTS_MAX) {
      throw new IllegalArgumentException("a group holds 1 to " + EVENTS_MAX + " events");
    }
    int size = 4;
    List<byte[]> topics = new ArrayList<>(events.size());
    List<byte[]> keys = new ArrayList<>(events.size());
    for (Event e : events) {
      byte[] topic = e.topic().getBytes(StandardCharsets.UTF_8);
      byte[] key = e.key().getBytes(StandardCharsets.UTF_8);
      topics.add(topic);
      keys.add(key);
      size += 16 + 12 + topic.length + key.length + e.bytes().length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.putInt(events.size());
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      out.putLong(e.id().getMostSignificantBits()).putLong(e.id().getLeastSignificantBits());
      out.putInt(topics.get(i).length).put(topics.get(i));
      out.putInt(keys.get(i).length).put(keys.get(i));
      out.putInt(e.bytes().length).put(e.bytes());
    }
    return out.array();
  }

  /**
   * The events of a group row's payload, in order; public for tools and tests that read what a
   * service has announced from its outbox table.
   */
  public static List<Event> decode(byte[] payload) {
    ByteBuffer in = ByteBuffer.wrap(payload);
    int n = in.getInt();
    if (n < 1 || n > EVENTS_MAX) {
      throw new IllegalStateException("an outbox group row claims " + n + " events");
    }
    List<Event> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      UUID id = new UUID(in.getLong(), in.getLong());
      String topic = new String(bytes(in), StandardCharsets.UTF_8);
      String key = new String(bytes(in), StandardCharsets.UTF_8);
      events.add(new Event(id, topic, key, bytes(in)));
    }
    if (in.hasRemaining()) {
      throw new IllegalStateException("an outbox group row has bytes after its last event");
    }
    return events;
  }

  private static byte[] bytes(ByteBuffer in) {
    byte[] b = new byte[in.getInt()];
    in.get(b);
    return b;
  }

  /**
   * Splits {@code events} into runs of at most {@link #EVENTS_MAX} events and ~{@link #BYTES_MAX}.
   */
  static List<List<Event>> split(List<Event> events) {
    List<List<Event>> groups = new ArrayList<>();
    List<Event> group = new ArrayList<>();
    long bytes = 0;
    for (Event e : events) {
      if (!group.isEmpty()
          && (group.size() == EVENTS_MAX || bytes + e.bytes().length > BYTES_MAX)) {
        groups.add(group);
        group = new ArrayList<>();
        bytes = 0;
      }
      group.add(e);
      bytes += e.bytes().length;
    }
    if (!group.isEmpty()) {
      groups.add(group);
    }
    return groups;
  }
}
