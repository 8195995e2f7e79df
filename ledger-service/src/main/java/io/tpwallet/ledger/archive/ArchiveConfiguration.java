package io.tpwallet.ledger.archive;

import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/** The archive with its directory and age limit from configuration. */
@Configuration(proxyBeanMethods = false)
class ArchiveConfiguration {

  @Bean
  LedgerArchive ledgerArchive(
      DataSource dataSource,
      PlatformTransactionManager transactions,
      Clock clock,
      @Value("${tpw.ledger.archive.dir}") String directory,
      @Value("${tpw.ledger.archive.min-age-months:3}") int minAgeMonths) {
    return new LedgerArchive(dataSource, transactions, clock, Path.of(directory), minAgeMonths);
  }
}
