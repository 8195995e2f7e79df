package io.tpwallet.localstack;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Waits until a Kafka broker answers a metadata request, so that ./tpw starts the services only
 * when the broker is really up (an open port is not enough: the broker listens before it serves).
 *
 * <p>Usage: {@code KafkaReady [bootstrap] [timeoutSeconds]}, defaults {@code 127.0.0.1:9092} and
 * 120. Exits 0 when ready, 1 on timeout.
 */
public final class KafkaReady {

  static final int ATTEMPT_TIMEOUT_MS = 2_000;
  static final int RETRY_PAUSE_MS = 250;

  private KafkaReady() {}

  public static void main(String[] args) throws InterruptedException {
    String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
    Duration timeout = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 120);
    long deadlineNs = System.nanoTime() + timeout.toNanos();
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ATTEMPT_TIMEOUT_MS,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ATTEMPT_TIMEOUT_MS,
            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    String lastError = "no attempt";
    try (Admin admin = Admin.create(config)) {
      while (System.nanoTime() < deadlineNs) {
        try {
          int brokers =
              admin
                  .describeCluster(new DescribeClusterOptions().timeoutMs(ATTEMPT_TIMEOUT_MS))
                  .nodes()
                  .get(ATTEMPT_TIMEOUT_MS + 500L, TimeUnit.MILLISECONDS)
                  .size();
          if (brokers > 0) {
            System.out.println("Kafka ready at " + bootstrap + " (" + brokers + " broker)");
            System.exit(0);
          }
          lastError = "no broker in the cluster metadata yet";
        } catch (Exception e) {
          lastError = String.valueOf(e.getCause() != null ? e.getCause() : e);
        }
        Thread.sleep(RETRY_PAUSE_MS);
      }
    }
    System.err.println("Kafka not ready at " + bootstrap + " after " + timeout + ": " + lastError);
    System.exit(1);
  }
}
