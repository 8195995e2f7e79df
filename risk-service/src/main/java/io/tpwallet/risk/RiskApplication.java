package io.tpwallet.risk;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Real-time risk scoring: decides every payment before any money moves. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RiskApplication {

  public static void main(String[] args) {
    SpringApplication.run(RiskApplication.class, args);
  }
}
