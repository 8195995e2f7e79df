package io.tpwallet.common.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Gives each service its own database on the shared PostgreSQL server: from {@code
 * tpw.postgres.url} (the server, e.g. {@code TPW_PG_URL}) and {@code tpw.postgres.database} it sets
 * {@code spring.datasource.url} (unless that is set explicitly) and creates the database if it is
 * missing, before the DataSource and Flyway start.
 */
public class DatabaseCreator implements EnvironmentPostProcessor, Ordered {

  private static final Pattern JDBC_PG =
      Pattern.compile("jdbc:postgresql://([^/?]+)(/[^?]*)?(\\?.*)?");
  private static final Pattern DB_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    String server = environment.getProperty("tpw.postgres.url");
    String database = environment.getProperty("tpw.postgres.database");
    if (server == null || database == null) {
      return;
    }
    String url = environment.getProperty("spring.datasource.url");
    if (url == null || url.isBlank()) {
      url = withDatabase(server, database);
      Map<String, Object> derived = new HashMap<>();
      derived.put("spring.datasource.url", url);
      environment.getPropertySources().addFirst(new MapPropertySource("tpw-database", derived));
    }
    if (environment.getProperty("tpw.postgres.create-database", Boolean.class, true)) {
      createIfMissing(
          url,
          environment.getProperty("spring.datasource.username", "postgres"),
          environment.getProperty("spring.datasource.password", ""));
    }
  }

  /** The JDBC URL of {@code database} on the server {@code serverUrl} names. */
  public static String withDatabase(String serverUrl, String database) {
    if (!DB_NAME.matcher(database).matches()) {
      throw new IllegalArgumentException("not a plain database name: " + database);
    }
    String jdbc = toJdbc(serverUrl);
    Matcher m = JDBC_PG.matcher(jdbc);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + serverUrl);
    }
    String params = m.group(3) == null ? "" : m.group(3);
    return "jdbc:postgresql://" + m.group(1) + "/" + database + params;
  }

  /** Accepts the libpq form (postgresql://host:port/db) too; user info in it is dropped. */
  static String toJdbc(String url) {
    if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
      String rest = url.substring(url.indexOf("//") + 2);
      int at = rest.indexOf('@');
      return "jdbc:postgresql://" + (at >= 0 ? rest.substring(at + 1) : rest);
    }
    return url;
  }

  static void createIfMissing(String url, String user, String password) {
    Matcher m = JDBC_PG.matcher(url);
    if (!m.matches() || m.group(2) == null || m.group(2).length() < 2) {
      return;
    }
    String database = m.group(2).substring(1);
    if (!DB_NAME.matcher(database).matches()) {
      return;
    }
    String params = m.group(3) == null ? "" : m.group(3);
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    String maintenance = "jdbc:postgresql://" + m.group(1) + "/postgres" + params;
    try (Connection c = DriverManager.getConnection(maintenance, props)) {
      try (var check = c.prepareStatement("select 1 from pg_database where datname = ?")) {
        check.setString(1, database);
        if (check.executeQuery().next()) {
          return;
        }
      }
      try (var create = c.createStatement()) {
        create.execute("create database " + database);
      }
    } catch (SQLException e) {
      if ("42P04".equals(e.getSQLState())) {
        return; // created by a concurrent start
      }
      // Leave the error to the DataSource, which reports it with the service's own settings.
      System.err.println("tpw: could not create database " + database + ": " + e.getMessage());
    }
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
