package io.tpwallet.common.autoconfig;

import io.micrometer.core.instrument.MeterRegistry;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.idempotency.IdempotencyKeys;
import io.tpwallet.common.inbox.Inbox;
import io.tpwallet.common.outbox.Outbox;
import io.tpwallet.common.outbox.OutboxRelay;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The transactional outbox, its relay, the inbox and idempotency keys, over the service's DB. */
@AutoConfiguration(
    after = PlatformKafkaAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
      "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
      "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
      "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
      "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration"
    })
@ConditionalOnClass({JdbcClient.class, KafkaTemplate.class})
@ConditionalOnBean(JdbcClient.class)
@EnableConfigurationProperties(PlatformProperties.class)
public class PlatformJdbcAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  @ConditionalOnMissingBean
  Envelope envelope(
      @Value("${spring.application.name}") String application, Clock clock, JsonMapper json) {
    return new Envelope("urn:tpw:" + application, clock, json);
  }

  @Bean
  @ConditionalOnMissingBean
  Outbox outbox(JdbcClient jdbc, Envelope envelope) {
    return new Outbox(jdbc, envelope);
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(name = "tpw.outbox.relay-enabled", matchIfMissing = true)
  OutboxRelay outboxRelay(
      JdbcClient jdbc,
      PlatformTransactionManager transactions,
      KafkaTemplate<String, byte[]> kafka,
      MeterRegistry meters,
      PlatformProperties properties) {
    var outbox = properties.outbox();
    return new OutboxRelay(
        jdbc,
        new TransactionTemplate(transactions),
        kafka,
        meters,
        outbox.batchRowsMax(),
        outbox.pollInterval(),
        outbox.sendTimeout());
  }

  @Bean
  @ConditionalOnMissingBean
  Inbox inbox(JdbcClient jdbc, PlatformTransactionManager transactions) {
    return new Inbox(jdbc, new TransactionTemplate(transactions));
  }

  @Bean
  @ConditionalOnMissingBean
  IdempotencyKeys idempotencyKeys(JdbcClient jdbc) {
    return new IdempotencyKeys(jdbc);
  }
}
