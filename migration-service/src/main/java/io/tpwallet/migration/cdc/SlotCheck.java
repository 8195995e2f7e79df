package io.tpwallet.migration.cdc;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Before a job resumes: the legacy replication slot must still hold every change after the position
 * the job stored. If the slot was dropped, or moved past that position, changes may be missing and
 * the job stops with a clear error instead of silently skipping them.
 */
public final class SlotCheck {

  private static final Pattern LSN =
      Pattern.compile("\"(lsn|lsn_commit|lsn_proc)\"\\s*:\\s*(\\d+)");

  private SlotCheck() {}

  /** Thrown when resuming could lose changes. */
  public static class SlotLost extends RuntimeException {
    public SlotLost(String message) {
      super(message);
    }
  }

  /** The furthest LSN the job's stored offsets name, if it has stored any. */
  public static OptionalLong storedLsn(Connection migrationDb, UUID jobId) throws SQLException {
    long max = -1;
    for (String offset : storedOffsets(migrationDb, jobId)) {
      Matcher m = LSN.matcher(offset);
      while (m.find()) {
        max = Math.max(max, Long.parseLong(m.group(2)));
      }
    }
    return max < 0 ? OptionalLong.empty() : OptionalLong.of(max);
  }

  /** The job's stored offsets, as Debezium's JSON. */
  static List<String> storedOffsets(Connection migrationDb, UUID jobId) throws SQLException {
    List<String> out = new ArrayList<>();
    try (var select =
        migrationDb.prepareStatement("select offset_value from cdc_offset where job_id = ?")) {
      select.setObject(1, jobId);
      try (var rs = select.executeQuery()) {
        while (rs.next()) {
          byte[] value = rs.getBytes(1);
          if (value != null) {
            out.add(new String(value, StandardCharsets.UTF_8));
          }
        }
      }
    }
    return out;
  }

  /**
   * Checks the slot against the stored position; throws {@link SlotLost} if changes may be gone.
   */
  public static void verify(Connection legacy, String slotName, OptionalLong storedLsn)
      throws SQLException {
    if (storedLsn.isEmpty()) {
      return; // nothing stored: the engine takes a fresh snapshot
    }
    try (var select =
        legacy.prepareStatement(
            "select confirmed_flush_lsn::text from pg_replication_slots where slot_name = ?")) {
      select.setString(1, slotName);
      try (var rs = select.executeQuery()) {
        if (!rs.next()) {
          throw new SlotLost(
              "replication slot "
                  + slotName
                  + " is gone but the job stopped at LSN "
                  + format(storedLsn.getAsLong())
                  + "; changes since then may be lost. Create a new job to snapshot again.");
        }
        String confirmed = rs.getString(1);
        if (confirmed != null && parse(confirmed) > storedLsn.getAsLong()) {
          throw new SlotLost(
              "replication slot "
                  + slotName
                  + " has confirmed LSN "
                  + confirmed
                  + ", past the job's stored LSN "
                  + format(storedLsn.getAsLong())
                  + "; changes in between would be skipped.");
        }
      }
    }
  }

  /** PostgreSQL's {@code X/Y} LSN text as a number. */
  public static long parse(String lsn) {
    String[] parts = lsn.split("/");
    return (Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16);
  }

  public static String format(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase()
        + "/"
        + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
  }
}
