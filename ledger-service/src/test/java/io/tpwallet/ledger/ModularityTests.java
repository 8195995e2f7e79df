package io.tpwallet.ledger;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** The features (account, transfer) reach each other only through their root packages. */
class ModularityTests {

  @Test
  void featuresKeepTheirBoundaries() {
    ApplicationModules.of(LedgerApplication.class).verify();
  }
}
