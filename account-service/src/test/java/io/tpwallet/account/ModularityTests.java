package io.tpwallet.account;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

class ModularityTests {

  @Test
  void featuresOnlyUseEachOthersPublicApi() {
    ApplicationModules.of(AccountApplication.class).verify();
  }
}
