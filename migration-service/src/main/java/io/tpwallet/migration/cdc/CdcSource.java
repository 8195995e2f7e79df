package io.tpwallet.migration.cdc;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A legacy database to capture: which kind it is (from the JDBC URL's scheme), where it is, the
 * tables, and the names this job owns there (PostgreSQL: its replication slot and publication;
 * MariaDB/MySQL: the replica server id derived from the slot name).
 */
public record CdcSource(
    Kind kind,
    String host,
    int port,
    String database,
    String user,
    String password,
    List<String> tables,
    String slotName,
    String publicationName,
    String topicPrefix) {

  /** The legacy database's kind, and so the Debezium connector that reads it. */
  public enum Kind {
    /** Logical decoding with {@code pgoutput}. */
    POSTGRES,
    /** The binlog (ROW events, full row image), read as a replica. */
    MARIADB
  }

  private static final Pattern JDBC_URL =
      Pattern.compile("jdbc:(postgresql|mariadb|mysql)://([^:/?]+)(?::(\\d+))?/([^?]+).*");
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  /** Replica server ids taken by jobs start here, far above a primary's usual small id. */
  private static final int SERVER_ID_BASE = 100_000;

  public CdcSource {
    tables = List.copyOf(tables);
    for (String name : List.of(slotName, publicationName, topicPrefix)) {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("not a plain lower-case name: " + name);
      }
    }
  }

  /** The kind of legacy database a JDBC URL points at, or empty if neither. */
  public static Optional<Kind> kindOf(String jdbcUrl) {
    Matcher m = JDBC_URL.matcher(jdbcUrl);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(m.group(1).equals("postgresql") ? Kind.POSTGRES : Kind.MARIADB);
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
    Matcher m = JDBC_URL.matcher(jdbcUrl);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a jdbc:postgresql://, jdbc:mariadb:// or jdbc:mysql:// URL: " + jdbcUrl);
    }
    Kind kind = m.group(1).equals("postgresql") ? Kind.POSTGRES : Kind.MARIADB;
    int port =
        m.group(3) != null ? Integer.parseInt(m.group(3)) : kind == Kind.POSTGRES ? 5432 : 3306;
    return new CdcSource(
        kind,
        m.group(2),
        port,
        m.group(4),
        user,
        password,
        tables,
        slotName,
        publicationName,
        topicPrefix);
  }

  public String jdbcUrl() {
    return (kind == Kind.POSTGRES ? "jdbc:postgresql://" : "jdbc:mariadb://")
        + host
        + ":"
        + port
        + "/"
        + database;
  }

  /**
   * The server id this job's binlog reader announces to MariaDB/MySQL: every replica needs its own,
   * so it is derived from the job's slot name (unique per job), in [100000, 2^31).
   */
  public long serverId() {
    return SERVER_ID_BASE + Math.floorMod(slotName.hashCode(), Integer.MAX_VALUE - SERVER_ID_BASE);
  }
}
