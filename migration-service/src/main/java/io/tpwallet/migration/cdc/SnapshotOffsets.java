package io.tpwallet.migration.cdc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Whether a job's stored Debezium offsets say that the initial snapshot is finished, as the
 * connectors decide it on a restart. PostgreSQL: an offset without {@code "snapshot":true}, or with
 * {@code "last_snapshot_record":true} (the last snapshot row committed). MariaDB/MySQL: an offset
 * without {@code "snapshot":"INITIAL"} or with {@code "snapshot_completed":true}; the binlog
 * connector's last snapshot row still carries {@code INITIAL}, so only the first binlog event or
 * heartbeat after it says finished. No stored offset at all: a snapshot is taken.
 */
public final class SnapshotOffsets {

  private static final Pattern INITIAL_SNAPSHOT =
      Pattern.compile("\"snapshot\"\\s*:\\s*(true|\"INITIAL\"|\"true\")");
  private static final Pattern SNAPSHOT_FINISHED =
      Pattern.compile("\"(last_snapshot_record|snapshot_completed)\"\\s*:\\s*(true|\"true\")");

  /** The key Debezium's incremental snapshot context stores its tables under while it runs. */
  private static final Pattern INCREMENTAL_SNAPSHOT =
      Pattern.compile("\"incremental_snapshot_collections\"\\s*:");

  private SnapshotOffsets() {}

  /** Whether Debezium, started now on the job's stored offsets, goes straight to streaming. */
  public static boolean finished(Connection migrationDb, UUID jobId) throws SQLException {
    return finished(SlotCheck.storedOffsets(migrationDb, jobId));
  }

  /**
   * Whether the job's stored offsets carry a running incremental snapshot (a resync): Debezium then
   * carries it on by itself after a restart.
   */
  public static boolean incrementalSnapshotStored(Connection migrationDb, UUID jobId)
      throws SQLException {
    return incrementalSnapshotStored(SlotCheck.storedOffsets(migrationDb, jobId));
  }

  static boolean incrementalSnapshotStored(List<String> offsets) {
    return offsets.stream().anyMatch(o -> INCREMENTAL_SNAPSHOT.matcher(o).find());
  }

  static boolean finished(List<String> offsets) {
    if (offsets.isEmpty()) {
      return false;
    }
    for (String offset : offsets) {
      if (INITIAL_SNAPSHOT.matcher(offset).find() && !SNAPSHOT_FINISHED.matcher(offset).find()) {
        return false;
      }
    }
    return true;
  }
}
