package io.tpwallet.routing;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

class ModularityTests {

  @Test
  void featuresOnlyUseEachOthersPublicApi() {
    ApplicationModules.of(RoutingApplication.class).verify();
  }
}
