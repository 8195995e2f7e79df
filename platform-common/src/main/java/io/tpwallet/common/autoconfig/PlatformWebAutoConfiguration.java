package io.tpwallet.common.autoconfig;

import io.tpwallet.common.problem.ProblemHandler;
import io.tpwallet.common.web.BodySizeLimitFilter;
import io.tpwallet.common.web.RequestIdFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/** Problem details, request ids and the body limit for every servlet service. */
@AutoConfiguration
@ConditionalOnWebApplication(type = Type.SERVLET)
@EnableConfigurationProperties(PlatformProperties.class)
public class PlatformWebAutoConfiguration {

  @Bean
  ProblemHandler problemHandler() {
    return new ProblemHandler();
  }

  @Bean
  FilterRegistrationBean<RequestIdFilter> requestIdFilter() {
    var registration = new FilterRegistrationBean<>(new RequestIdFilter());
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }

  @Bean
  FilterRegistrationBean<BodySizeLimitFilter> bodySizeLimitFilter(PlatformProperties properties) {
    var registration =
        new FilterRegistrationBean<>(new BodySizeLimitFilter(properties.web().bodyBytesMax()));
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
    return registration;
  }
}
