package io.tpwallet.migration.cdc;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Before a job resumes: the legacy replication slot must still hold every change after the position
 * the job stored. If the slot was dropped, or moved past that position, changes may be missing and
 * the job stops with a clear error instead of silently skipping them.
 */
public final class SlotCheck {

  private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
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

  /** Thrown when a slot to drop stays in use by another reader. */
  public static class SlotInUse extends IllegalStateException {
    public SlotInUse(String message) {
      super(message);
    }
  }

  /**
   * Drops a job's replication slot and publication from the legacy server, so that it stops keeping
   * WAL for a job that will not read it again. A slot still held by a walsender that is going away
   * (the engine just stopped) is waited for up to {@code wait}; one held longer throws {@link
   * SlotInUse}. What is already gone is skipped, so this can run again after a failure.
   */
  public static void release(
      Connection legacy, String slotName, String publicationName, Duration wait)
      throws SQLException {
    for (String name : List.of(slotName, publicationName)) {
      if (!PLAIN.matcher(name).matches()) {
        throw new IllegalArgumentException("not a plain lower-case name: " + name);
      }
    }
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      Integer holder = slotHolder(legacy, slotName);
      if (holder == null) {
        break; // no such slot: dropped before, or never made
      }
      if (holder == 0) {
        try (var drop = legacy.prepareStatement("select pg_drop_replication_slot(?)")) {
          drop.setString(1, slotName);
          drop.execute();
          break;
        } catch (SQLException e) {
          // 55006: a walsender took the slot between the look and the drop.
          if (!"55006".equals(e.getSQLState())) {
            throw e;
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new SlotInUse(
            "replication slot "
                + slotName
                + " is still in use by process "
                + holder
                + "; stop whatever reads it and end the job again");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for slot " + slotName, e);
      }
    }
    try (var st = legacy.createStatement()) {
      st.execute("drop publication if exists " + publicationName);
    }
  }

  /** The pid holding the slot, 0 if none does, null if there is no such slot. */
  private static @Nullable Integer slotHolder(Connection legacy, String slotName)
      throws SQLException {
    try (var select =
        legacy.prepareStatement(
            "select coalesce(active_pid, 0) from pg_replication_slots where slot_name = ?")) {
      select.setString(1, slotName);
      try (var rs = select.executeQuery()) {
        return rs.next() ? rs.getInt(1) : null;
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
