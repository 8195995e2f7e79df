package io.tpwallet.migration.cdc;

import io.tpwallet.migration.cdc.SlotCheck.SlotLost;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MariaDB/MySQL counterpart of {@link SlotCheck}: before a job reads the binlog, the server
 * must write ROW events with the full row image, and the binlog file the job's stored offset names
 * must still be on the server. A purged file means changes since then are gone: the job stops with
 * a clear error instead of skipping them.
 */
public final class BinlogCheck {

  private static final Pattern FILE = Pattern.compile("\"file\"\\s*:\\s*\"([^\"]+)\"");

  private BinlogCheck() {}

  /** The binlog file named by the job's stored offset, if it has stored one. */
  public static Optional<String> storedFile(Connection migrationDb, UUID jobId)
      throws SQLException {
    for (String offset : SlotCheck.storedOffsets(migrationDb, jobId)) {
      Optional<String> file = fileOf(offset);
      if (file.isPresent()) {
        return file;
      }
    }
    return Optional.empty();
  }

  /** The binlog file in one stored offset (Debezium's JSON), if it names one. */
  static Optional<String> fileOf(String offsetJson) {
    Matcher m = FILE.matcher(offsetJson);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** Checks the server's binlog settings and that the stored file is still there. */
  public static void verify(Connection legacy, Optional<String> storedFile) throws SQLException {
    try (var st = legacy.createStatement();
        var rs = st.executeQuery("select @@log_bin, @@binlog_format, @@binlog_row_image")) {
      rs.next();
      if (!rs.getBoolean(1)
          || !"ROW".equalsIgnoreCase(rs.getString(2))
          || !"FULL".equalsIgnoreCase(rs.getString(3))) {
        throw new IllegalStateException(
            "the legacy MariaDB/MySQL must run with log_bin on, binlog_format=ROW and"
                + " binlog_row_image=FULL (deploy/scripts/prepare-machine.sh sets them); it has"
                + " log_bin="
                + rs.getString(1)
                + " binlog_format="
                + rs.getString(2)
                + " binlog_row_image="
                + rs.getString(3));
      }
    }
    if (storedFile.isEmpty()) {
      return; // nothing stored: the engine takes a fresh snapshot
    }
    Set<String> files = new HashSet<>();
    try (var st = legacy.createStatement();
        var rs = st.executeQuery("show binary logs")) {
      while (rs.next()) {
        files.add(rs.getString(1));
      }
    }
    if (!files.contains(storedFile.get())) {
      throw new SlotLost(
          "binlog file "
              + storedFile.get()
              + " where the job stopped is no longer on the legacy server (purged); changes since"
              + " then may be lost. Create a new job to snapshot again.");
    }
  }
}
