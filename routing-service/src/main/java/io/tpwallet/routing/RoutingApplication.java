package io.tpwallet.routing;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Payment orchestration: runs each payment's saga across risk-service and ledger-service. */
@SpringBootApplication
public class RoutingApplication {

  public static void main(String[] args) {
    SpringApplication.run(RoutingApplication.class, args);
  }
}
