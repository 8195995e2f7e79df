package io.tpwallet.gateway.grayrelease;

import io.micrometer.core.instrument.MeterRegistry;
import io.tpwallet.gateway.auth.AuthProperties;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With {@code tpw.gateway.gray-release.enabled}: the split and its store (the admin endpoint,
 * {@link GrayReleaseController}, has the same condition).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "tpw.gateway.gray-release.enabled", havingValue = "true")
@EnableConfigurationProperties(GrayReleaseProperties.class)
class GrayReleaseConfiguration {

  @Bean
  GrayReleaseStore grayReleaseStore(GrayReleaseProperties properties) {
    return new GrayReleaseStore(properties.stateDir(), Clock.systemUTC());
  }

  @Bean
  GrayReleaseFilter grayReleaseFilter(
      GrayReleaseStore store,
      GrayReleaseProperties properties,
      AuthProperties auth,
      MeterRegistry meters) {
    return new GrayReleaseFilter(store, properties, auth.enabled(), meters);
  }
}
