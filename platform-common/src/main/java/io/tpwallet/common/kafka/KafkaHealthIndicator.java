package io.tpwallet.common.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Reports the service ready only while a Kafka broker answers, so that a service that cannot
 * publish or consume is taken out of rotation.
 */
public class KafkaHealthIndicator extends AbstractHealthIndicator {

  private final Map<String, Object> adminConfig;
  private final Duration timeout;

  public KafkaHealthIndicator(KafkaAdmin admin, Duration timeout) {
    super("Kafka health check failed");
    this.adminConfig = admin.getConfigurationProperties();
    this.timeout = timeout;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) throws Exception {
    try (Admin client = Admin.create(adminConfig)) {
      var cluster =
          client.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()));
      String clusterId = cluster.clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      int nodes = cluster.nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
      builder.up().withDetail("clusterId", clusterId).withDetail("nodes", nodes);
    }
  }
}
