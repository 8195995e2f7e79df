package io.tpwallet.migration.legacy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The machine's MariaDB (127.0.0.1:3306, root and an empty password unless TPW_MARIADB_URL,
 * TPW_MARIADB_USER and TPW_MARIADB_PASSWORD say otherwise): a fresh database per test, dropped
 * after. Tests are skipped, with the reason, only when no MariaDB answers.
 */
public final class TestMariaDb implements AutoCloseable {

  private static final String SERVER =
      System.getenv().getOrDefault("TPW_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/");
  private static final String USER = System.getenv().getOrDefault("TPW_MARIADB_USER", "root");
  private static final String PASSWORD = System.getenv().getOrDefault("TPW_MARIADB_PASSWORD", "");

  private final String database;

  private TestMariaDb(String database) {
    this.database = database;
  }

  /** Creates an empty database; skips the test when no MariaDB answers on the server URL. */
  public static TestMariaDb fresh() throws SQLException {
    boolean answers;
    try (Connection c = DriverManager.getConnection(SERVER, USER, PASSWORD)) {
      answers = c.isValid(5);
    } catch (SQLException e) {
      answers = false;
    }
    assumeTrue(answers, "no MariaDB answers at " + SERVER + ": MariaDB source test skipped");
    String name = "tpw_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = DriverManager.getConnection(SERVER, USER, PASSWORD);
        var st = c.createStatement()) {
      st.execute("create database " + name);
    }
    return new TestMariaDb(name);
  }

  public String url() {
    return SERVER + database;
  }

  public String database() {
    return database;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), USER, PASSWORD);
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = DriverManager.getConnection(SERVER, USER, PASSWORD);
        var st = c.createStatement()) {
      st.execute("drop database if exists " + database);
    }
  }
}
