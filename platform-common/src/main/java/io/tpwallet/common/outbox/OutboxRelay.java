package io.tpwallet.common.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tpwallet.common.thread.DaemonThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes outbox rows to Kafka, at least once and in order per aggregate, from any number of
 * service instances at the same time.
 *
 * <p>Each round locks the oldest unpublished rows with {@code FOR UPDATE SKIP LOCKED} (so that
 * instances share the work instead of waiting on each other), sends their events with the
 * idempotent producer, waits for every acknowledgement, then stamps the rows published in the same
 * transaction. A crash or a failed send before the stamp leaves them unpublished and they are sent
 * again, a group row whole: consumers drop the duplicate by event id (inbox). A round is bounded by
 * events, not rows ({@code batchEventsMax}, but always at least one row: a group row of up to 1,000
 * events may exceed a smaller bound), so that its memory and its wait for acks stay bounded.
 *
 * <p>A row is a single event (from {@link Outbox#add}) or a group row, many events of one {@link
 * Outbox#addAll} call framed by {@link OutboxGroup}, which the relay sends as the same records, in
 * the same order, as one row per event. Another instance may hold an earlier row while this one
 * runs, so a row is only sent when no event it carries could overtake an earlier unpublished event
 * of the same aggregate. A single row's aggregate is its column; a group's aggregates are not known
 * without reading it, so a group row is a barrier for every aggregate:
 *
 * <ul>
 *   <li>a single row is sent when every earlier unpublished row of its aggregate, and every earlier
 *       unpublished group row, is sent before it in this round;
 *   <li>a group row is sent when every earlier unpublished row of any aggregate is sent before it
 *       in this round; a group row that is not sent holds back every later row of the round.
 * </ul>
 *
 * "Earlier unpublished rows" are read after the lock, committed ones only: a row still being
 * written is invisible, which is sound because the writers of one aggregate's events serialize on
 * that aggregate (a later event of it is written only after the earlier one committed, so with a
 * higher sequence). Two instances then never reorder a key; grouped outboxes mostly relay from one
 * instance at a time, which suits them (a round of a few rows carries thousands of events).
 */
public class OutboxRelay implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final KafkaTemplate<String, byte[]> kafka;
  private final int batchEventsMax;
  private final Duration pollInterval;
  private final Duration sendTimeout;
  private final Counter published;
  private final Counter failures;
  private volatile long backlog;
  private volatile ScheduledExecutorService scheduler;

  /**
   * @param batchEventsMax the most events a round sends (the first row of a round is sent whatever
   *     its size)
   */
  public OutboxRelay(
      JdbcClient jdbc,
      TransactionTemplate tx,
      KafkaTemplate<String, byte[]> kafka,
      MeterRegistry meters,
      int batchEventsMax,
      Duration pollInterval,
      Duration sendTimeout) {
    if (batchEventsMax < 1) {
      throw new IllegalArgumentException("batchEventsMax must be positive: " + batchEventsMax);
    }
    this.jdbc = jdbc;
    this.tx = tx;
    this.kafka = kafka;
    this.batchEventsMax = batchEventsMax;
    this.pollInterval = pollInterval;
    this.sendTimeout = sendTimeout;
    this.published =
        Counter.builder("tpw.outbox.published")
            .description("Outbox events published to Kafka")
            .register(meters);
    this.failures =
        Counter.builder("tpw.outbox.failures")
            .description("Relay rounds that failed and will be retried")
            .register(meters);
    Gauge.builder("tpw.outbox.backlog", this, r -> r.backlog)
        .description("Unpublished outbox events seen at the last round")
        .register(meters);
  }

  /**
   * Publishes one batch; returns how many events were published. Public so that tests and the drain
   * on shutdown can run a round directly.
   */
  public int relayOnce() {
    Round round = tx.execute(status -> publishBatch());
    return round == null ? 0 : round.events();
  }

  private Round publishBatch() {
    // Every row carries at least one event, so batchEventsMax rows are enough to fill a round.
    // A group's payload is only read once it is known to be sent.
    List<Row> locked =
        jdbc.sql(
                """
                select seq, topic, aggregate_id, event_type = ?, %s,
                       case when event_type = ? then null else payload end
                from outbox_event
                where published_at is null
                order by seq
                limit ?
                for update skip locked"""
                    .formatted(OutboxGroup.EVENTS_SQL))
            .params(OutboxGroup.TYPE, OutboxGroup.TYPE, batchEventsMax)
            .query(
                (rs, i) ->
                    new Row(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getBoolean(4),
                        rs.getInt(5),
                        rs.getBytes(6)))
            .list();
    if (locked.isEmpty()) {
      backlog = 0;
      return new Round(0, false);
    }
    int taken = 0;
    int events = 0;
    while (taken < locked.size()
        && (taken == 0 || events + locked.get(taken).events() <= batchEventsMax)) {
      events += locked.get(taken).events();
      taken++;
    }
    List<Row> batch = locked.subList(0, taken);
    List<Row> sendable = inOrderPerAggregate(batch);
    Map<Long, byte[]> groups = groupPayloads(sendable);
    List<CompletableFuture<?>> acks = new ArrayList<>(events);
    int sent = 0;
    for (Row row : sendable) {
      if (row.group()) {
        for (OutboxGroup.Event e : OutboxGroup.decode(groups.get(row.seq()))) {
          acks.add(kafka.send(e.topic(), e.key(), e.bytes()));
        }
      } else {
        acks.add(kafka.send(row.topic(), row.aggregateId(), row.payload()));
      }
      sent += row.events();
    }
    try {
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
          .get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // Roll back: nothing is stamped, so every row of the batch is sent again next round.
      throw new IllegalStateException("Kafka did not acknowledge the outbox batch", e);
    }
    if (!sendable.isEmpty()) {
      Long[] seqs = sendable.stream().map(Row::seq).toArray(Long[]::new);
      jdbc.sql("update outbox_event set published_at = now() where seq = any(?)")
          .param(seqs)
          .update();
    }
    backlog = locked.stream().mapToLong(Row::events).sum() - sent;
    published.increment(sent);
    // Go on at once while rounds are full and nothing held this one back.
    boolean full = locked.size() > batch.size() || locked.size() == batchEventsMax;
    return new Round(sent, full && sendable.size() == batch.size());
  }

  /** The payloads of the group rows among {@code rows}, by sequence. */
  private Map<Long, byte[]> groupPayloads(List<Row> rows) {
    Long[] seqs = rows.stream().filter(Row::group).map(Row::seq).toArray(Long[]::new);
    Map<Long, byte[]> payloads = new HashMap<>();
    if (seqs.length > 0) {
      jdbc.sql("select seq, payload from outbox_event where seq = any(?)")
          .param(seqs)
          .query(
              rs -> {
                payloads.put(rs.getLong(1), rs.getBytes(2));
              });
    }
    return payloads;
  }

  /**
   * The rows of {@code batch} that may be sent now, in order, by the rules of the class comment:
   * reads the committed unpublished rows ahead of the batch's last one that this round does not
   * hold (another relay's, or committed since the lock) and walks the batch alongside them.
   */
  private List<Row> inOrderPerAggregate(List<Row> batch) {
    Long[] ours = batch.stream().map(Row::seq).toArray(Long[]::new);
    long[] firstOther = {Long.MAX_VALUE};
    long[] firstOtherGroup = {Long.MAX_VALUE};
    Map<String, Long> firstOtherOf = new HashMap<>();
    jdbc.sql(
            """
            select seq, aggregate_id, event_type = ? from outbox_event
            where published_at is null and seq < ? and seq <> all(?)""")
        .params(OutboxGroup.TYPE, ours[ours.length - 1], ours)
        .query(
            rs -> {
              long seq = rs.getLong(1);
              firstOther[0] = Math.min(firstOther[0], seq);
              if (rs.getBoolean(3)) {
                firstOtherGroup[0] = Math.min(firstOtherGroup[0], seq);
              } else {
                firstOtherOf.merge(rs.getString(2), seq, Math::min);
              }
            });
    List<Row> sendable = new ArrayList<>(batch.size());
    Set<String> heldBack = new HashSet<>();
    for (Row row : batch) {
      if (row.group()) {
        if (!heldBack.isEmpty() || row.seq() > firstOther[0]) {
          break; // a group held back holds back every later row
        }
        sendable.add(row);
      } else if (row.seq() < firstOtherGroup[0]
          && row.seq() < firstOtherOf.getOrDefault(row.aggregateId(), Long.MAX_VALUE)
          && !heldBack.contains(row.aggregateId())) {
        sendable.add(row);
      } else {
        heldBack.add(row.aggregateId());
      }
    }
    return sendable;
  }

  private void round() {
    try {
      // Drain while there is work, then wait for the next tick.
      Round r;
      do {
        r = tx.execute(status -> publishBatch());
      } while (r != null && r.more() && !Thread.currentThread().isInterrupted());
    } catch (RuntimeException e) {
      failures.increment();
      log.warn("Outbox relay round failed; the batch will be retried: {}", e.toString());
    }
  }

  @Override
  public void start() {
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("outbox-relay"));
    s.scheduleWithFixedDelay(
        this::round, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    scheduler = s;
  }

  @Override
  public void stop() {
    ScheduledExecutorService s = scheduler;
    scheduler = null;
    if (s != null) {
      s.shutdown();
      try {
        s.awaitTermination(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return scheduler != null;
  }

  @Override
  public int getPhase() {
    // Stop before the Kafka producer and the DataSource go away.
    return Integer.MAX_VALUE - 100;
  }

  /** A locked row; a group row's payload is read only when it is sent. */
  private record Row(
      long seq,
      String topic,
      String aggregateId,
      boolean group,
      int events,
      byte @Nullable [] payload) {}

  /** What a round published, in events, and whether the next round should follow at once. */
  private record Round(int events, boolean more) {}
}
