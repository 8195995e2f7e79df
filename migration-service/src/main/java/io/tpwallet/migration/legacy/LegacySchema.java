package io.tpwallet.migration.legacy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Creates the legacy wallet's tables in an empty database. */
public final class LegacySchema {

  /** The legacy tables, in the order a snapshot should read them. */
  public static final List<String> TABLES = List.of("users", "wallets", "transactions");

  private LegacySchema() {}

  /** Runs the schema script for PostgreSQL; safe to run again on an existing legacy database. */
  public static void createPostgres(Connection connection) throws SQLException {
    String script = resource("/legacy/postgres/schema.sql");
    // PostgreSQL's simple query protocol runs a whole script in one call.
    try (var statement = connection.createStatement()) {
      statement.execute(script);
    }
  }

  /** Runs the schema script for the legacy database's kind (PostgreSQL or MariaDB/MySQL). */
  public static void create(Connection connection) throws SQLException {
    if (isMariaDb(connection)) {
      createMariaDb(connection);
    } else {
      createPostgres(connection);
    }
  }

  /**
   * Runs the schema script for MariaDB/MySQL; safe to run again. The JDBC driver takes one
   * statement per call, so the script is split on the semicolons that end its statements.
   */
  public static void createMariaDb(Connection connection) throws SQLException {
    String script = resource("/legacy/mariadb/schema.sql").replaceAll("(?m)--.*$", "");
    try (var statement = connection.createStatement()) {
      for (String sql : script.split(";")) {
        if (!sql.isBlank()) {
          statement.execute(sql);
        }
      }
    }
  }

  /** Whether the connection goes to MariaDB or MySQL rather than PostgreSQL. */
  public static boolean isMariaDb(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    return product.contains("mariadb") || product.contains("mysql");
  }

  private static String resource(String path) {
    try (InputStream in =
        Objects.requireNonNull(LegacySchema.class.getResourceAsStream(path), path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
