package io.tpwallet.common.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tpwallet.common.thread.DaemonThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * <p>Each round locks a batch of unpublished rows with {@code FOR UPDATE SKIP LOCKED} (so that
 * instances share the work instead of waiting on each other), sends them with the idempotent
 * producer, waits for every acknowledgement, then stamps them published in the same transaction. A
 * crash before the stamp leaves them unpublished and they are sent again: consumers drop the
 * duplicate by event id (inbox). To keep one aggregate's events in order when another instance
 * holds an earlier row of the same aggregate, a row is only sent when every earlier unpublished row
 * of its aggregate is in this same batch.
 */
public class OutboxRelay implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final KafkaTemplate<String, byte[]> kafka;
  private final int batchRowsMax;
  private final Duration pollInterval;
  private final Duration sendTimeout;
  private final Counter published;
  private final Counter failures;
  private volatile long backlog;
  private volatile ScheduledExecutorService scheduler;

  public OutboxRelay(
      JdbcClient jdbc,
      TransactionTemplate tx,
      KafkaTemplate<String, byte[]> kafka,
      MeterRegistry meters,
      int batchRowsMax,
      Duration pollInterval,
      Duration sendTimeout) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.kafka = kafka;
    this.batchRowsMax = batchRowsMax;
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
    Integer sent = tx.execute(status -> publishBatch());
    return sent == null ? 0 : sent;
  }

  private int publishBatch() {
    List<Row> locked =
        jdbc.sql(
                """
                select seq, topic, aggregate_id, payload from outbox_event
                where published_at is null
                order by seq
                limit ?
                for update skip locked""")
            .param(batchRowsMax)
            .query(
                (rs, i) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4)))
            .list();
    if (locked.isEmpty()) {
      backlog = 0;
      return 0;
    }
    List<Row> sendable = inOrderPerAggregate(locked);
    List<CompletableFuture<?>> acks = new ArrayList<>(sendable.size());
    for (Row row : sendable) {
      acks.add(kafka.send(row.topic(), row.aggregateId(), row.payload()));
    }
    try {
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
          .get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // Roll back: nothing is stamped, so every row of the batch is sent again next round.
      throw new IllegalStateException("Kafka did not acknowledge the outbox batch", e);
    }
    Long[] seqs = sendable.stream().map(Row::seq).toArray(Long[]::new);
    jdbc.sql("update outbox_event set published_at = now() where seq = any(?)")
        .param(seqs)
        .update();
    backlog = locked.size() - sendable.size();
    published.increment(sendable.size());
    return sendable.size();
  }

  /**
   * Keeps, for each aggregate, the rows of the batch that come before any earlier unpublished row
   * of that aggregate which another relay holds. Reads the committed unpublished sequence of each
   * aggregate and walks it alongside the batch.
   */
  private List<Row> inOrderPerAggregate(List<Row> locked) {
    Map<String, List<Row>> byAggregate = new LinkedHashMap<>();
    for (Row row : locked) {
      byAggregate.computeIfAbsent(row.aggregateId(), k -> new ArrayList<>()).add(row);
    }
    Map<String, List<Long>> pending = new HashMap<>();
    jdbc.sql(
            """
            select aggregate_id, seq from outbox_event
            where published_at is null and aggregate_id = any(?) and seq <= ?
            order by seq""")
        .params(byAggregate.keySet().toArray(String[]::new), locked.get(locked.size() - 1).seq())
        .query(
            rs -> {
              pending.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2));
            });
    List<Row> sendable = new ArrayList<>(locked.size());
    byAggregate.forEach(
        (aggregate, rows) -> {
          List<Long> all = pending.getOrDefault(aggregate, List.of());
          for (int i = 0; i < rows.size() && i < all.size(); i++) {
            if (rows.get(i).seq() != all.get(i)) {
              break;
            }
            sendable.add(rows.get(i));
          }
        });
    sendable.sort((a, b) -> Long.compare(a.seq(), b.seq()));
    return sendable;
  }

  private void round() {
    try {
      // Drain while there is work, then wait for the next tick.
      while (relayOnce() == batchRowsMax) {
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
      }
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

  private record Row(long seq, String topic, String aggregateId, byte[] payload) {}
}
