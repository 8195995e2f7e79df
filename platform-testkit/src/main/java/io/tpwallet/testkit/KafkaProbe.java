package io.tpwallet.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Reads and writes raw records on the test broker the way a service does (String keys, byte[]
 * CloudEvents), so that a test can check what a service published and feed it events.
 */
public final class KafkaProbe implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

  /** A probe reading {@code topics} from their beginning. */
  public KafkaProbe(String... topics) {
    String bootstrap = TestKafka.bootstrapServers();
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "probe-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    consumer.subscribe(List.of(topics));
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  /** Sends one record and waits until the broker has it. */
  public void send(String topic, String key, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    } catch (Exception e) {
      throw new IllegalStateException("could not send to " + topic, e);
    }
  }

  /** Waits up to {@code timeout} for a record matching {@code match}; fails if none comes. */
  public ConsumerRecord<String, byte[]> await(
      Predicate<ConsumerRecord<String, byte[]>> match, Duration timeout) {
    Instant until = Instant.now().plus(timeout);
    while (true) {
      for (var record : seen) {
        if (match.test(record)) {
          return record;
        }
      }
      if (Instant.now().isAfter(until)) {
        throw new AssertionError("no matching record within " + timeout + "; saw " + seen.size());
      }
      consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
    }
  }

  /** Every record received so far (after polling for {@code settle}) that matches. */
  public List<ConsumerRecord<String, byte[]>> all(
      Predicate<ConsumerRecord<String, byte[]>> match, Duration settle) {
    Instant until = Instant.now().plus(settle);
    while (Instant.now().isBefore(until)) {
      consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
    }
    return seen.stream().filter(match).toList();
  }

  @Override
  public void close() {
    consumer.close();
    producer.close();
  }
}
