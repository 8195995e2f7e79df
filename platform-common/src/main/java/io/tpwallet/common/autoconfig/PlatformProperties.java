package io.tpwallet.common.autoconfig;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the shared platform machinery, under {@code tpw.*}. */
@ConfigurationProperties("tpw")
public record PlatformProperties(Outbox outbox, Kafka kafka, Web web) {

  public PlatformProperties {
    outbox =
        outbox == null ? new Outbox(100, Duration.ofMillis(100), Duration.ofSeconds(10)) : outbox;
    kafka = kafka == null ? new Kafka(List.of(), 3, (short) 1) : kafka;
    web = web == null ? new Web(64 * 1024) : web;
  }

  /**
   * The relay: events per round ({@code batch-rows-max}, named when a row was one event; a group
   * row counts its events), the pause between idle rounds, how long to wait for acks.
   */
  public record Outbox(int batchRowsMax, Duration pollInterval, Duration sendTimeout) {
    public Outbox {
      batchRowsMax = batchRowsMax <= 0 ? 100 : batchRowsMax;
      pollInterval = pollInterval == null ? Duration.ofMillis(100) : pollInterval;
      sendTimeout = sendTimeout == null ? Duration.ofSeconds(10) : sendTimeout;
    }
  }

  /** Topics this service creates if missing, with their partitions and replication. */
  public record Kafka(List<String> topics, int partitions, short replicationFactor) {
    public Kafka {
      topics = topics == null ? List.of() : List.copyOf(topics);
      partitions = partitions <= 0 ? 3 : partitions;
      replicationFactor = replicationFactor <= 0 ? 1 : replicationFactor;
    }
  }

  /** The largest request body any endpoint accepts. */
  public record Web(long bodyBytesMax) {
    public Web {
      bodyBytesMax = bodyBytesMax <= 0 ? 64 * 1024 : bodyBytesMax;
    }
  }
}
