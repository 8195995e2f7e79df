package io.tpwallet.migration.cdc;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One captured row change (or a heartbeat, which carries no row and only moves the offset). Row
 * values are plain Java values: numbers as strings ({@code decimal.handling.mode=string}),
 * timestamps without zone as epoch microseconds of the wall-clock time. {@code position} is where
 * the change is in the source's log (PostgreSQL LSN; binlog file sequence × 2^32 + position), and
 * {@code sourceTsMs} its commit time there (whole seconds on MariaDB/MySQL, whose binlog keeps no
 * finer time).
 */
public record ChangeEvent(
    Kind kind,
    @Nullable String table,
    Op op,
    Snapshot snapshot,
    @Nullable Map<String, @Nullable Object> before,
    @Nullable Map<String, @Nullable Object> after,
    long sourceTsMs,
    long position) {

  public enum Kind {
    ROW,
    HEARTBEAT
  }

  /** Debezium's operation: a snapshot read, an insert, an update or a delete. */
  public enum Op {
    READ,
    CREATE,
    UPDATE,
    DELETE,
    NONE
  }

  /** Where in the snapshot a row is; {@code NONE} for a streamed change. */
  public enum Snapshot {
    NONE,
    ROW,
    LAST
  }

  public boolean fromSnapshot() {
    return snapshot != Snapshot.NONE;
  }
}
