package io.tpwallet.migration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * CDC job runner that moves the legacy wallet into the platform: snapshot, stream, reconcile, cut
 * over.
 */
@SpringBootApplication
public class MigrationApplication {

  public static void main(String[] args) {
    SpringApplication.run(MigrationApplication.class, args);
  }
}
