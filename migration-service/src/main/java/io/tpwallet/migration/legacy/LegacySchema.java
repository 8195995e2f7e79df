package io.tpwallet.migration.legacy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
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

  private static String resource(String path) {
    try (InputStream in =
        Objects.requireNonNull(LegacySchema.class.getResourceAsStream(path), path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
