package io.tpwallet.common;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
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
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The outbox and inbox against a real PostgreSQL and Kafka, with faults injected. */
class OutboxRelayIT {

  static JdbcClient jdbc;
  static TransactionTemplate tx;
  static Outbox outbox;

  @BeforeAll
  static void database() throws Exception {
    var server = TestPostgres.server();
    var dataSource =
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
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 1500);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000);
    var template =
        new KafkaTemplate<>(
            new DefaultKafkaProducerFactory<>(
                config, new StringSerializer(), new ByteArraySerializer()));
    return new OutboxRelay(
        jdbc,
        tx,
        template,
        new SimpleMeterRegistry(),
        50,
        Duration.ofMillis(20),
        Duration.ofSeconds(3));
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
    var locked = new java.util.concurrent.CountDownLatch(1);
    var release = new java.util.concurrent.CountDownLatch(1);
    Thread relayA =
        new Thread(
            () ->
                tx.executeWithoutResult(
                    s -> {
                      jdbc.sql(
                              "select seq from outbox_event where topic = ? and published_at is null"
                                  + " order by seq limit 10 for update")
                          .param(topic)
                          .query(Long.class)
                          .list();
                      locked.countDown();
                      try {
                        release.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
    relayA.start();
    locked.await();
    OutboxRelay b = relay(TestKafka.bootstrapServers());
    int sentByB = b.relayOnce();
    release.countDown();
    relayA.join();
    assertThat(sentByB).as("B still publishes the aggregates A does not hold").isPositive();
    drain(relay(TestKafka.bootstrapServers()));
    assertThat(aggregates.stream().mapToLong(this::unpublished).sum()).isZero();

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
    }
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
    for (int rounds = 0; rounds < 1000; rounds++) {
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
