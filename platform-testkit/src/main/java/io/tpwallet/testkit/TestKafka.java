package io.tpwallet.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.testcontainers.kafka.KafkaContainer;

/**
 * One Kafka broker per test JVM: a Testcontainers Kafka where Docker is available, otherwise
 * spring-kafka-test's in-process KRaft broker (a real broker, started in about two seconds).
 */
public final class TestKafka {

  private static volatile String bootstrap;
  private static volatile Boolean docker;

  private TestKafka() {}

  /** The bootstrap servers of the test broker, starting it on first use. */
  public static String bootstrapServers() {
    String b = bootstrap;
    if (b == null) {
      synchronized (TestKafka.class) {
        b = bootstrap;
        if (b == null) {
          b = dockerAvailable() ? startContainer() : startEmbedded();
          bootstrap = b;
        }
      }
    }
    return b;
  }

  /**
   * Whether a Docker engine answers. Only asked when there is a socket or DOCKER_HOST, so that a
   * machine without Docker does not wait for the client to give up.
   */
  static boolean dockerAvailable() {
    Boolean d = docker;
    if (d == null) {
      boolean maybe =
          System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"));
      d = maybe && TestPostgres.dockerCheck();
      docker = d;
    }
    return d;
  }

  private static String startEmbedded() {
    var broker = new EmbeddedKafkaKraftBroker(1, 3);
    broker.brokerProperties(
        java.util.Map.of(
            "auto.create.topics.enable", "true",
            "group.initial.rebalance.delay.ms", "0",
            "offsets.topic.num.partitions", "5"));
    broker.afterPropertiesSet();
    Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy, "embedded-kafka-stop"));
    return broker.getBrokersAsString();
  }

  @SuppressWarnings("resource") // lives as long as the JVM
  private static String startContainer() {
    var container = new KafkaContainer("apache/kafka:4.1.1");
    container.start();
    return container.getBootstrapServers();
  }
}
