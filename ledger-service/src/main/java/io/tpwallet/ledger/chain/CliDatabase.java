package io.tpwallet.ledger.chain;

import io.tpwallet.common.db.DatabaseCreator;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The ledger's database for the command-line tools (verify, archive), from the environment the
 * service reads: TPW_PG_URL, TPW_PG_USER, TPW_PG_PASSWORD and TPW_LEDGER_DATABASE (tpw_ledger).
 */
public final class CliDatabase {

  private CliDatabase() {}

  public static DataSource fromEnvironment() {
    String server = env("TPW_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    String database = env("TPW_LEDGER_DATABASE", "tpw_ledger");
    return new DriverManagerDataSource(
        DatabaseCreator.withDatabase(server, database),
        env("TPW_PG_USER", "postgres"),
        env("TPW_PG_PASSWORD", ""));
  }

  /** An environment variable, or {@code fallback} when unset or blank. */
  public static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
