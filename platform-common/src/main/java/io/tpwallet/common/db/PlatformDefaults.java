package io.tpwallet.common.db;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Settings every service shares (graceful shutdown, Flyway locations, health probes with a
 * readiness group that includes the database and Kafka, the {@code application} metric tag,
 * structured logs, Kafka consumers), added with the lowest precedence so that a service's
 * application.yml or the environment can still override each one. Consumers read CloudEvents as
 * bytes with String keys, join the group named after the service, start a new group from the
 * earliest offset (an event published before a service first started is still processed) and leave
 * offset commits to the listener container.
 */
public class PlatformDefaults implements EnvironmentPostProcessor, Ordered {

  private static final Map<String, Object> DEFAULTS =
      Map.ofEntries(
          Map.entry("server.shutdown", "graceful"),
          Map.entry("spring.lifecycle.timeout-per-shutdown-phase", "20s"),
          Map.entry("spring.flyway.locations", "classpath:db/common,classpath:db/migration"),
          Map.entry("management.endpoints.web.exposure.include", "health,info,prometheus"),
          Map.entry("management.endpoint.health.probes.enabled", "true"),
          Map.entry("management.endpoint.health.show-components", "always"),
          Map.entry(
              "management.endpoint.health.group.readiness.include", "readinessState,db,kafka"),
          Map.entry("management.metrics.tags.application", "${spring.application.name}"),
          Map.entry(
              "management.metrics.distribution.percentiles-histogram.http.server.requests", "true"),
          Map.entry("logging.structured.format.console", "ecs"),
          Map.entry("logging.level.org.apache.kafka", "WARN"),
          // The in-process test broker logs through the service's logging, under these names.
          Map.entry("logging.level.kafka", "WARN"),
          Map.entry("logging.level.state.change.logger", "WARN"),
          Map.entry("spring.kafka.consumer.group-id", "${spring.application.name}"),
          Map.entry("spring.kafka.consumer.auto-offset-reset", "earliest"),
          // A crashed instance's partitions move to the others (or to its restart) within
          // seconds instead of Kafka's default 45 s.
          Map.entry("spring.kafka.consumer.properties.session.timeout.ms", "10000"),
          Map.entry("spring.kafka.consumer.heartbeat-interval", "3s"),
          Map.entry("spring.kafka.consumer.enable-auto-commit", "false"),
          Map.entry(
              "spring.kafka.consumer.key-deserializer",
              "org.apache.kafka.common.serialization.StringDeserializer"),
          Map.entry(
              "spring.kafka.consumer.value-deserializer",
              "org.apache.kafka.common.serialization.ByteArrayDeserializer"));

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    environment.getPropertySources().addLast(new MapPropertySource("tpw-defaults", DEFAULTS));
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
