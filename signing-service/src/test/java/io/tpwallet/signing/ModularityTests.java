package io.tpwallet.signing;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

class ModularityTests {

  @Test
  void featuresOnlyUseEachOthersPublicApi() {
    ApplicationModules.of(SigningApplication.class).verify();
  }
}
