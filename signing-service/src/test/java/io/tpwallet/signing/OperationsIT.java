package io.tpwallet.signing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.OperationsChecks;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OperationsIT {

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "signing");
  }

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;

  @Test
  void startsMigratedLiveReadyAndScrapeable() {
    OperationsChecks.assertOperable(port, "signing-service");
    assertThat(jdbc.sql("select count(*) from outbox_event").query(Long.class).single()).isZero();
  }
}
