package io.tpwallet.signing;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Threshold-signing coordinator and signer nodes: FROST, DKG, share refresh. */
@SpringBootApplication
public class SigningApplication {

  public static void main(String[] args) {
    SpringApplication.run(SigningApplication.class, args);
  }
}
