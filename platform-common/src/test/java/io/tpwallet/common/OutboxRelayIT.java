package io.tpwallet.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.inbox.Inbox;
import io.tpwallet.common.outbox.Outbox;
import io.tpwallet.common.outbox.OutboxRelay;
import io.tpwallet.testkit.KafkaProbe;
import io.tpwallet.testkit.TestKafka;
import io.tpwallet.testkit.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ScriptUtils;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The outbox and inbox against a real PostgreSQL and Kafka, with faults injected. */
class OutboxRelayIT {

  static DriverManagerDataSource dataSource;
  static JdbcClient jdbc;
  static TransactionTemplate tx;
  static Outbox outbox;

  @BeforeAll
  static void database() throws Exception {
    var server = TestPostgres.server();
    dataSource =
        new DriverManagerDataSource(
            TestPostgres.freshDatabase("outbox"), server.user(), server.password());
    try (var connection = dataSource.getConnection()) {
      ScriptUtils.executeSqlScript(
          connection, new ClassPathResource("db/common/V0_1__outbox_inbox_idempotency.sql"));
    }
    jdbc = JdbcClient.create(dataSource);
    tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    outbox =
        new Outbox(
            jdbc, new Envelope("urn:tpw:test", Clock.systemUTC(), JsonMapper.builder().build()));
  }

  static OutboxRelay relay(String bootstrap) {
    return relay(template(bootstrap), tx, 50);
  }

  static OutboxRelay relay(
      KafkaTemplate<String, byte[]> template, TransactionTemplate tx, int batchEventsMax) {
    return new OutboxRelay(
        jdbc,
        tx,
        template,
        new SimpleMeterRegistry(),
        batchEventsMax,
        Duration.ofMillis(20),
        Duration.ofSeconds(3));
  }

  static KafkaTemplate<String, byte[]> template(String bootstrap) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 1500);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000);
    return new KafkaTemplate<>(
        new DefaultKafkaProducerFactory<>(
            config, new StringSerializer(), new ByteArraySerializer()));
  }

  @Test
  void anEventRollsBackWithItsTransaction() {
    String aggregate = UUID.randomUUID().toString();
    try {
      tx.executeWithoutResult(
          s -> {
            outbox.add("tpw.test.rollback.v1", aggregate, Map.of("n", 1));
            throw new IllegalStateException("the state change failed");
          });
    } catch (IllegalStateException expected) {
      // the point of the test
    }
    assertThat(
            jdbc.sql("select count(*) from outbox_event where aggregate_id = ?")
                .param(aggregate)
                .query(Long.class)
                .single())
        .isZero();
  }

  @Test
  void whileKafkaIsUnreachableNothingIsMarkedPublishedAndEverythingIsSentLater() {
    String topic = "tpw.test.outage." + UUID.randomUUID() + ".v1";
    String aggregate = UUID.randomUUID().toString();
    tx.executeWithoutResult(s -> outbox.add(topic, aggregate, Map.of("n", 1)));

    // A relay pointed at a port where no broker listens: the round fails and rolls back.
    OutboxRelay broken = relay("127.0.0.1:1");
    try {
      broken.relayOnce();
    } catch (RuntimeException expected) {
      // Kafka did not acknowledge: the batch stays unpublished
    }
    assertThat(unpublished(aggregate)).isEqualTo(1);

    try (var probe = new KafkaProbe(topic)) {
      drain(relay(TestKafka.bootstrapServers()));
      assertThat(unpublished(aggregate)).isZero();
      assertThat(probe.await(r -> aggregate.equals(r.key()), Duration.ofSeconds(20)).topic())
          .isEqualTo(topic);
    }
  }

  @Test
  void aSecondRelayNeverOvertakesTheFirstWithinAnAggregate() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String topic = "tpw.test.order." + UUID.randomUUID() + ".v1";
    List<String> aggregates = new ArrayList<>();
    // More aggregates than A locks rows, so that some aggregate is always free for B.
    for (int i = 0; i < 16; i++) {
      aggregates.add(UUID.randomUUID().toString());
    }
    Map<String, Integer> written = new HashMap<>();
    for (int i = 0; i < 400; i++) {
      String aggregate = aggregates.get(random.nextInt(aggregates.size()));
      int n = written.merge(aggregate, 1, Integer::sum);
      tx.executeWithoutResult(s -> outbox.add(topic, aggregate, Map.of("n", n)));
    }
    // Relay A has locked the oldest rows and is still sending them when relay B runs a round:
    // B must skip every aggregate whose earlier event A holds, or it would overtake A.
    int sentByB =
        whileAnotherRelayHolds(
            "select seq from outbox_event where topic = ? and published_at is null"
                + " order by seq limit 10 for update",
            topic,
            () -> relay(TestKafka.bootstrapServers()).relayOnce());
    assertThat(sentByB).as("B still publishes the aggregates A does not hold").isPositive();
    drain(relay(TestKafka.bootstrapServers()));
    assertThat(aggregates.stream().mapToLong(this::unpublished).sum()).isZero();

    assertInOrderPerKey(topic, written, seed);
  }

  @Test
  void aBatchIsAFewRowsPublishedAsTheSameRecordsInOrder() {
    String posted = "tpw.test.group-posted." + UUID.randomUUID() + ".v1";
    String changed = "tpw.test.group-changed." + UUID.randomUUID() + ".v1";
    List<String> aggregates = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      aggregates.add(UUID.randomUUID().toString());
    }
    List<Outbox.Message> messages = new ArrayList<>();
    Map<String, Integer> written = new HashMap<>();
    for (int i = 0; i < 2_500; i++) {
      String aggregate = aggregates.get(i % aggregates.size());
      int n = written.merge(aggregate, 1, Integer::sum);
      messages.add(new Outbox.Message(i % 3 == 0 ? changed : posted, aggregate, Map.of("n", n)));
    }
    long rowsBefore = rows();
    tx.executeWithoutResult(s -> outbox.addAll(messages));
    assertThat(rows() - rowsBefore).as("2,500 events in rows of at most 1,000").isEqualTo(3);

    try (var probe = new KafkaProbe(posted, changed)) {
      drain(relay(TestKafka.bootstrapServers()));
      probe.await(r -> true, Duration.ofSeconds(20));
      List<ConsumerRecord<String, byte[]>> records = probe.all(r -> true, Duration.ofSeconds(3));
      assertThat(records).hasSize(2_500);
      // Kafka orders a key's records within one topic: each topic's numbers rise, and every
      // number arrives once, on the topic it was written to.
      Map<String, Integer> last = new HashMap<>();
      Set<String> ids = new HashSet<>();
      Set<String> numbers = new HashSet<>();
      for (var record : records) {
        CloudEvent event = Envelope.deserialize(record.value());
        // What one row per event carried: the SDK's bytes, keyed and typed by the topic.
        assertThat(record.value()).isEqualTo(Envelope.serialize(event));
        assertThat(record.key()).isEqualTo(event.getSubject());
        assertThat(event.getType()).isEqualTo(record.topic().replaceAll("\\.v1$", ""));
        int n = number(record);
        String topicKey = record.topic() + " " + record.key();
        assertThat(n).as(topicKey).isGreaterThan(last.getOrDefault(topicKey, 0));
        last.put(topicKey, n);
        int index = (n - 1) * aggregates.size() + aggregates.indexOf(record.key());
        assertThat(record.topic()).isEqualTo(messages.get(index).topic());
        numbers.add(record.key() + " " + n);
        ids.add(event.getId());
      }
      assertThat(ids).hasSize(2_500);
      assertThat(numbers).hasSize(2_500);
    }
  }

  @Test
  void aGroupRowWaitsForEveryEarlierRowAnotherRelayHolds() throws Exception {
    String topic = "tpw.test.barrier." + UUID.randomUUID() + ".v1";
    String x = "x-" + UUID.randomUUID();
    String y = "y-" + UUID.randomUUID();
    String z = "z-" + UUID.randomUUID();
    tx.executeWithoutResult(s -> outbox.add(topic, x, Map.of("n", 1)));
    long first = jdbc.sql("select max(seq) from outbox_event").query(Long.class).single();
    tx.executeWithoutResult(
        s ->
            outbox.addAll(
                List.of(
                    new Outbox.Message(topic, x, Map.of("n", 2)),
                    new Outbox.Message(topic, y, Map.of("n", 1)))));
    tx.executeWithoutResult(s -> outbox.add(topic, y, Map.of("n", 2)));
    tx.executeWithoutResult(s -> outbox.add(topic, z, Map.of("n", 1)));

    // Relay A holds x's first event: the group (x's second) must wait, and so must every later
    // row, since a group may hold any aggregate: y's second event follows y's first in the group.
    int sentByB =
        whileAnotherRelayHolds(
            "select seq from outbox_event where seq = ? for update",
            first,
            () -> relay(TestKafka.bootstrapServers()).relayOnce());
    try (var probe = new KafkaProbe(topic)) {
      assertThat(probe.all(r -> true, Duration.ofSeconds(2))).isEmpty();
    }
    assertThat(sentByB).isZero();
    assertThat(unpublished(x) + unpublished(y) + unpublished(z)).isEqualTo(3);

    try (var probe = new KafkaProbe(topic)) {
      drain(relay(TestKafka.bootstrapServers()));
      probe.await(r -> z.equals(r.key()), Duration.ofSeconds(20));
      List<String> order =
          probe.all(r -> true, Duration.ofSeconds(2)).stream()
              .map(r -> r.key().charAt(0) + "" + number(r))
              .toList();
      assertThat(order).containsSubsequence("x1", "x2").containsSubsequence("y1", "y2");
      assertThat(order).containsExactlyInAnyOrder("x1", "x2", "y1", "y2", "z1");
    }
  }

  @Test
  void singleAndGroupRowsOfOneAggregateKeepTheirOrderWithTwoRelaysAtOnce() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String topic = "tpw.test.mixed." + UUID.randomUUID() + ".v1";
    List<String> aggregates = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      aggregates.add(UUID.randomUUID().toString());
    }
    Map<String, Integer> written = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      if (random.nextInt(3) == 0) {
        List<Outbox.Message> messages = new ArrayList<>();
        for (int k = 2 + random.nextInt(40); k > 0; k--) {
          String aggregate = aggregates.get(random.nextInt(aggregates.size()));
          messages.add(
              new Outbox.Message(
                  topic, aggregate, Map.of("n", written.merge(aggregate, 1, Integer::sum))));
        }
        tx.executeWithoutResult(s -> outbox.addAll(messages));
      } else {
        String aggregate = aggregates.get(random.nextInt(aggregates.size()));
        int n = written.merge(aggregate, 1, Integer::sum);
        tx.executeWithoutResult(s -> outbox.add(topic, aggregate, Map.of("n", n)));
      }
    }
    List<Thread> relays = new ArrayList<>();
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int r = 0; r < 2; r++) {
      OutboxRelay relay = relay(template(TestKafka.bootstrapServers()), tx, 10 + 30 * r);
      Thread t =
          new Thread(
              () -> {
                try {
                  drain(relay);
                } catch (Throwable e) {
                  errors.add(e);
                }
              });
      relays.add(t);
      t.start();
    }
    for (Thread t : relays) {
      t.join();
    }
    assertThat(errors).as("seed %d", seed).isEmpty();
    assertInOrderPerKey(topic, written, seed);
  }

  @Test
  void aKafkaFailureMidGroupLeavesTheWholeGroupUnpublishedAndItIsSentAgain() {
    String topic = "tpw.test.mid-group." + UUID.randomUUID() + ".v1";
    Map<String, Integer> written = writeGroup(topic, 30);
    long group = jdbc.sql("select max(seq) from outbox_event").query(Long.class).single();

    // The broker takes the group's first five events, then fails the sixth.
    AtomicInteger sends = new AtomicInteger();
    var failing =
        new KafkaTemplate<String, byte[]>(
            template(TestKafka.bootstrapServers()).getProducerFactory()) {
          @Override
          public CompletableFuture<SendResult<String, byte[]>> send(
              String topic, String key, byte[] data) {
            if (sends.incrementAndGet() > 5) {
              return CompletableFuture.failedFuture(new KafkaException("injected: broker gone"));
            }
            return super.send(topic, key, data);
          }
        };
    assertThatThrownBy(() -> relay(failing, tx, 1000).relayOnce())
        .isInstanceOf(IllegalStateException.class);
    assertThat(sends).hasValueGreaterThan(5);
    assertThat(
            jdbc.sql("select published_at is null from outbox_event where seq = ?")
                .param(group)
                .query(Boolean.class)
                .single())
        .isTrue();

    drain(relay(TestKafka.bootstrapServers()));
    // Duplicates of the first five are allowed; a loss or a reordering is not.
    List<ConsumerRecord<String, byte[]>> records = assertInOrderPerKey(topic, written, 0);
    assertThat(records.size()).isBetween(30, 35);
  }

  @Test
  void aCrashBetweenSendingAndStampingSendsTheGroupAgain() {
    String topic = "tpw.test.crash." + UUID.randomUUID() + ".v1";
    Map<String, Integer> written = writeGroup(topic, 20);

    // Kafka acknowledges everything, then the commit of the stamp fails as if the process died.
    var crashing =
        new TransactionTemplate(
            new DataSourceTransactionManager(dataSource) {
              @Override
              protected void doCommit(DefaultTransactionStatus status) {
                // As when the process dies: the database rolls the open transaction back.
                doRollback(status);
                throw new TransactionSystemException("injected: the relay died before the commit");
              }
            });
    assertThatThrownBy(
            () -> relay(template(TestKafka.bootstrapServers()), crashing, 1000).relayOnce())
        .isInstanceOf(TransactionSystemException.class);
    assertThat(
            jdbc.sql("select count(*) from outbox_event where published_at is null")
                .query(Long.class)
                .single())
        .isPositive();

    drain(relay(TestKafka.bootstrapServers()));
    List<ConsumerRecord<String, byte[]>> records = assertInOrderPerKey(topic, written, 0);
    assertThat(records).as("every event sent, then sent again").hasSize(40);
  }

  /**
   * Runs {@code round} while another transaction holds the rows {@code lockSql} selects, as a relay
   * does while it waits for Kafka's acknowledgements.
   */
  private static int whileAnotherRelayHolds(String lockSql, Object param, IntSupplier round)
      throws InterruptedException {
    var locked = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    Thread relayA =
        new Thread(
            () ->
                tx.executeWithoutResult(
                    s -> {
                      jdbc.sql(lockSql).param(param).query(Long.class).list();
                      locked.countDown();
                      try {
                        release.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
    relayA.start();
    locked.await();
    try {
      return round.getAsInt();
    } finally {
      release.countDown();
      relayA.join();
    }
  }

  /** Writes {@code n} events over three aggregates in one call: one group row. */
  private Map<String, Integer> writeGroup(String topic, int n) {
    List<String> aggregates =
        List.of(
            UUID.randomUUID().toString(),
            UUID.randomUUID().toString(),
            UUID.randomUUID().toString());
    Map<String, Integer> written = new HashMap<>();
    List<Outbox.Message> messages = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String aggregate = aggregates.get(i % 3);
      messages.add(
          new Outbox.Message(
              topic, aggregate, Map.of("n", written.merge(aggregate, 1, Integer::sum))));
    }
    long rowsBefore = rows();
    tx.executeWithoutResult(s -> outbox.addAll(messages));
    assertThat(rows() - rowsBefore).isEqualTo(1);
    return written;
  }

  /**
   * Reads {@code topic} and checks that each key's numbers arrive in order: a resend may repeat
   * earlier numbers but never skip one, and every written number arrives.
   */
  private List<ConsumerRecord<String, byte[]>> assertInOrderPerKey(
      String topic, Map<String, Integer> written, long seed) {
    try (var probe = new KafkaProbe(topic)) {
      probe.await(r -> true, Duration.ofSeconds(20));
      List<ConsumerRecord<String, byte[]>> records = probe.all(r -> true, Duration.ofSeconds(3));
      Map<String, Integer> last = new HashMap<>();
      for (var record : records) {
        int n = number(record);
        int previous = last.getOrDefault(record.key(), 0);
        // At least once: a resend repeats an earlier number, but never goes past a gap.
        assertThat(n)
            .as("seed %d, aggregate %s", seed, record.key())
            .isLessThanOrEqualTo(previous + 1);
        last.put(record.key(), Math.max(previous, n));
      }
      assertThat(last).as("seed %d", seed).isEqualTo(written);
      return records;
    }
  }

  private static long rows() {
    return jdbc.sql("select count(*) from outbox_event").query(Long.class).single();
  }

  @Test
  void theInboxAppliesAnEventOnceHoweverOftenItIsDelivered() {
    var inbox = new Inbox(jdbc, tx);
    var event =
        new Envelope("urn:tpw:test", Clock.systemUTC(), JsonMapper.builder().build())
            .wrap("tpw.test.once", "a", Map.of("n", 1));
    var record = new ConsumerRecord<>("tpw.test.once.v1", 0, 0L, "a", Envelope.serialize(event));
    AtomicInteger effects = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      inbox.apply("test", record, e -> effects.incrementAndGet());
    }
    assertThat(effects).hasValue(1);

    // An effect that fails leaves no inbox record: the redelivery applies it.
    var failing =
        new ConsumerRecord<>(
            "tpw.test.once.v1",
            0,
            1L,
            "b",
            Envelope.serialize(
                new Envelope("urn:tpw:test", Clock.systemUTC(), JsonMapper.builder().build())
                    .wrap("tpw.test.once", "b", Map.of("n", 2))));
    try {
      inbox.apply(
          "test",
          failing,
          e -> {
            throw new IllegalStateException("database hiccup");
          });
    } catch (IllegalStateException expected) {
      // the consumer's error handler retries
    }
    assertThat(inbox.apply("test", failing, e -> effects.incrementAndGet())).isTrue();
    assertThat(effects).hasValue(2);
  }

  private static void drain(OutboxRelay relay) {
    // Bounded by time, not rounds: with two relays, one may find nothing sendable many times.
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < until) {
      if (relay.relayOnce() == 0
          && jdbc.sql("select count(*) from outbox_event where published_at is null")
                  .query(Long.class)
                  .single()
              == 0) {
        return;
      }
    }
    throw new AssertionError("the relay did not drain the outbox");
  }

  private long unpublished(String aggregate) {
    return jdbc.sql(
            "select count(*) from outbox_event where aggregate_id = ? and published_at is null")
        .param(aggregate)
        .query(Long.class)
        .single();
  }

  private static int number(ConsumerRecord<String, byte[]> record) {
    String json =
        new String(
            Envelope.deserialize(record.value()).getData().toBytes(), StandardCharsets.UTF_8);
    return Integer.parseInt(json.replaceAll("[^0-9]", ""));
  }
}
