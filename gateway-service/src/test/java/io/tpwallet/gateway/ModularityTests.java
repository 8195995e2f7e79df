package io.tpwallet.gateway;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** Keeps the gateway's features (request id, body limit, problems) out of each other's insides. */
class ModularityTests {

  @Test
  void featuresOnlyUseEachOthersApi() {
    ApplicationModules.of(GatewayApplication.class).verify();
  }
}
