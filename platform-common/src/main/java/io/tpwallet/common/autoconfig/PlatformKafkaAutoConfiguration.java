package io.tpwallet.common.autoconfig;

import io.cloudevents.core.format.EventDeserializationException;
import io.cloudevents.rw.CloudEventRWException;
import io.tpwallet.common.kafka.KafkaHealthIndicator;
import java.time.Duration;
import java.util.HashMap;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.ConcurrentKafkaListenerContainerFactoryConfigurer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;
import tools.jackson.core.JacksonException;

/**
 * Kafka the way every service uses it: CloudEvents as bytes keyed by aggregate id, an idempotent
 * producer that waits for all in-sync replicas (consumer defaults come from {@link
 * io.tpwallet.common.db.PlatformDefaults}), and an error handler that retries transient failures
 * without end (a database outage must not drop a payment) but parks a message it can never read on
 * {@code <topic>.dlt}.
 */
@AutoConfiguration(
    beforeName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConditionalOnClass(KafkaTemplate.class)
@EnableConfigurationProperties(PlatformProperties.class)
public class PlatformKafkaAutoConfiguration {

  /**
   * The listener container factory of the consumers that take a whole poll at once ({@code
   * containerFactory} of a {@code @KafkaListener} whose method takes a list of records, applied
   * with {@link io.tpwallet.common.inbox.Inbox#applyAll}).
   */
  public static final String BATCH_LISTENER_FACTORY = "tpwBatchKafkaListenerContainerFactory";

  /**
   * Configured by Boot's configurer exactly as the default container (consumer settings, the
   * platform's error handler with its retries and dead-letter topic), only as a batch listener.
   */
  @Bean(BATCH_LISTENER_FACTORY)
  @ConditionalOnMissingBean(name = BATCH_LISTENER_FACTORY)
  ConcurrentKafkaListenerContainerFactory<Object, Object> tpwBatchKafkaListenerContainerFactory(
      ConcurrentKafkaListenerContainerFactoryConfigurer configurer,
      ConsumerFactory<Object, Object> consumers) {
    var factory = new ConcurrentKafkaListenerContainerFactory<Object, Object>();
    configurer.configure(factory, consumers);
    factory.setBatchListener(true);
    return factory;
  }

  @Bean
  @ConditionalOnMissingBean
  ProducerFactory<String, byte[]> tpwProducerFactory(KafkaProperties kafka) {
    var config = new HashMap<>(kafka.buildProducerProperties());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
    return new DefaultKafkaProducerFactory<>(
        config, new StringSerializer(), new ByteArraySerializer());
  }

  @Bean
  @ConditionalOnMissingBean
  KafkaTemplate<String, byte[]> tpwKafkaTemplate(ProducerFactory<String, byte[]> producers) {
    return new KafkaTemplate<>(producers);
  }

  @Bean
  @ConditionalOnMissingBean
  CommonErrorHandler tpwKafkaErrorHandler(KafkaTemplate<String, byte[]> template) {
    var recoverer =
        new DeadLetterPublishingRecoverer(
            template, (record, e) -> new TopicPartition(record.topic() + ".dlt", -1));
    var backOff = new ExponentialBackOff(200, 2.0);
    backOff.setMaxInterval(10_000);
    var handler = new DefaultErrorHandler(recoverer, backOff);
    // A message that cannot be parsed will never succeed: park it instead of blocking its
    // partition. Everything else (database down, lock timeouts) is retried until it works.
    handler.addNotRetryableExceptions(
        EventDeserializationException.class,
        CloudEventRWException.class,
        JacksonException.class,
        IllegalArgumentException.class);
    // Retries are logged with their cause, so that a stuck partition says why.
    handler.setLogLevel(KafkaException.Level.WARN);
    return handler;
  }

  @Bean
  KafkaAdmin.NewTopics tpwTopics(PlatformProperties properties) {
    var kafka = properties.kafka();
    return new KafkaAdmin.NewTopics(
        kafka.topics().stream()
            .flatMap(
                t ->
                    java.util.stream.Stream.of(
                        new NewTopic(t, kafka.partitions(), kafka.replicationFactor()),
                        new NewTopic(t + ".dlt", 1, kafka.replicationFactor())))
            .toArray(NewTopic[]::new));
  }

  @Bean
  @ConditionalOnMissingBean(name = "kafkaHealthIndicator")
  KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin admin) {
    return new KafkaHealthIndicator(admin, Duration.ofSeconds(3));
  }
}
