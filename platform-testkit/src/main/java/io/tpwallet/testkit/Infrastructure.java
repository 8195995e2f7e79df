package io.tpwallet.testkit;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Points a Spring Boot integration test at the test PostgreSQL and Kafka. Call it from the test
 * class's own {@code @DynamicPropertySource} method, so that every test class gets its own context
 * and a fresh database:
 *
 * <pre>{@code
 * @DynamicPropertySource
 * static void infrastructure(DynamicPropertyRegistry registry) {
 *   Infrastructure.register(registry, "ledger");
 * }
 * }</pre>
 */
public final class Infrastructure {

  private Infrastructure() {}

  /** A fresh database named after {@code hint}, and the test Kafka broker. */
  public static void register(DynamicPropertyRegistry registry, String hint) {
    String url = TestPostgres.freshDatabase(hint);
    var server = TestPostgres.server();
    registry.add("spring.datasource.url", () -> url);
    registry.add("spring.datasource.username", server::user);
    registry.add("spring.datasource.password", server::password);
    registry.add("spring.kafka.bootstrap-servers", TestKafka::bootstrapServers);
  }
}
