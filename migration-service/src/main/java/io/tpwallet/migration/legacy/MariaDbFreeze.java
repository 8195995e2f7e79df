package io.tpwallet.migration.legacy;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * The cutover freeze on a MariaDB/MySQL legacy wallet: BEFORE INSERT, UPDATE and DELETE triggers on
 * every legacy table that reject the write with SQLSTATE 45000. MariaDB has row triggers only and
 * none for TRUNCATE (which the legacy app never issues); CREATE TRIGGER takes the table's metadata
 * lock, so it waits for the writes in flight on that table to commit first.
 */
public final class MariaDbFreeze {

  private static final List<String> EVENTS = List.of("insert", "update", "delete");

  private MariaDbFreeze() {}

  /** Creates the freeze triggers; safe to run again. */
  public static void freeze(Connection connection, String prefix, List<String> tables, UUID job)
      throws SQLException {
    try (var st = connection.createStatement()) {
      for (String table : tables) {
        for (String event : EVENTS) {
          st.execute(
              """
              create or replace trigger %s before %s on %s for each row
                signal sqlstate '45000'
                set message_text = 'legacy wallet is frozen for the migration cutover (job %s)'"""
                  .formatted(name(prefix, table, event), event, table, job));
        }
      }
    }
  }

  /** Drops the freeze triggers; safe to run when there are none. */
  public static void unfreeze(Connection connection, String prefix, List<String> tables)
      throws SQLException {
    try (var st = connection.createStatement()) {
      for (String table : tables) {
        for (String event : EVENTS) {
          st.execute("drop trigger if exists " + name(prefix, table, event));
        }
      }
    }
  }

  private static String name(String prefix, String table, String event) {
    return prefix + "_" + table + "_" + event.substring(0, 3);
  }
}
