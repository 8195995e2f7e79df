package io.tpwallet.migration.cdc;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A legacy PostgreSQL database to capture: where it is, the tables, and the names of the
 * replication slot and publication this job owns.
 */
public record CdcSource(
    String host,
    int port,
    String database,
    String user,
    String password,
    List<String> tables,
    String slotName,
    String publicationName,
    String topicPrefix) {

  private static final Pattern JDBC_PG =
      Pattern.compile("jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]+).*");
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  public CdcSource {
    tables = List.copyOf(tables);
    for (String name : List.of(slotName, publicationName, topicPrefix)) {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("not a plain lower-case name: " + name);
      }
    }
  }

  /** A source from a JDBC URL of the legacy database. */
  public static CdcSource ofJdbcUrl(
      String jdbcUrl,
      String user,
      String password,
      List<String> tables,
      String slotName,
      String publicationName,
      String topicPrefix) {
    var m = JDBC_PG.matcher(jdbcUrl);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + jdbcUrl);
    }
    int port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
    return new CdcSource(
        m.group(1),
        port,
        m.group(3),
        user,
        password,
        tables,
        slotName,
        publicationName,
        topicPrefix);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }
}
