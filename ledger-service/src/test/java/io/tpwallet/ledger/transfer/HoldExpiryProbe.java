package io.tpwallet.ledger.transfer;

import org.springframework.boot.test.context.TestComponent;

/** Lets a test outside the package run the (package-private) expiry job on demand. */
@TestComponent
public class HoldExpiryProbe {

  private final HoldExpiry expiry;

  HoldExpiryProbe(HoldExpiry expiry) {
    this.expiry = expiry;
  }

  public int run() {
    return expiry.expireDue();
  }
}
