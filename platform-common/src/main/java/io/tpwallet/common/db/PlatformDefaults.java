package io.tpwallet.common.db;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Settings every service shares, added with the lowest precedence so that a service's
 * application.yml or the environment can still override each one. Consumers read CloudEvents as
 * bytes with String keys, join the group named after the service, start a new group from the
 * earliest offset (an event published before a service first started is still processed) and leave
 * offset commits to the listener container.
 */
public class PlatformDefaults implements EnvironmentPostProcessor, Ordered {

  private static final Map<String, Object> DEFAULTS =
      Map.of(
          "spring.kafka.consumer.group-id", "${spring.application.name}",
          "spring.kafka.consumer.auto-offset-reset", "earliest",
          "spring.kafka.consumer.enable-auto-commit", "false",
          "spring.kafka.consumer.key-deserializer",
              "org.apache.kafka.common.serialization.StringDeserializer",
          "spring.kafka.consumer.value-deserializer",
              "org.apache.kafka.common.serialization.ByteArrayDeserializer");

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
