package io.tpwallet.migration.job;

import io.tpwallet.common.problem.ProblemException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Stores migration jobs. */
@Repository
public class MigrationJobs {

  private final JdbcClient jdbc;
  private final Clock clock;

  MigrationJobs(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  MigrationJob create(
      UUID id,
      String name,
      String sourceUrl,
      String user,
      String password,
      List<String> tables,
      ZoneId zone,
      boolean dryRun,
      UUID idNamespace) {
    String slot = slotName(id);
    Timestamp now = Timestamp.from(clock.instant());
    jdbc.sql(
            """
            insert into migration_job (id, name, source_url, source_user, source_password, tables,
              legacy_zone, slot_name, publication_name, dry_run, id_namespace, phase, created_at,
              updated_at)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
        .params(
            id,
            name,
            sourceUrl,
            user,
            password,
            String.join(",", tables),
            zone.getId(),
            slot,
            slot,
            dryRun,
            idNamespace,
            Phase.CREATED.name(),
            now,
            now)
        .update();
    return get(id);
  }

  /**
   * The job's replication slot and publication name, {@code tpw_mig_} and the random end of its
   * UUIDv7 id: not its start, the creation millisecond, which two jobs created at once share.
   */
  static String slotName(UUID id) {
    String hex = id.toString().replace("-", "");
    return "tpw_mig_" + hex.substring(hex.length() - 12);
  }

  public MigrationJob get(UUID id) {
    return jdbc.sql("select * from migration_job where id = ?")
        .param(id)
        .query(MigrationJobs::map)
        .optional()
        .orElseThrow(() -> ProblemException.notFound("no migration job " + id));
  }

  List<MigrationJob> list() {
    return jdbc.sql("select * from migration_job order by created_at")
        .query(MigrationJobs::map)
        .list();
  }

  void phase(UUID id, Phase phase, @Nullable String error) {
    jdbc.sql("update migration_job set phase = ?, error = ?, updated_at = ? where id = ?")
        .params(phase.name(), error, Timestamp.from(clock.instant()), id)
        .update();
  }

  /**
   * The job's snapshot is not complete after all: Debezium reads it again (its stored offsets say
   * the snapshot was not finished). The job says so (SNAPSHOTTING, no completion time) and counts
   * the rows of the new read from zero; the rows re-read are mapped again when it completes.
   */
  void reopenSnapshot(UUID id) {
    jdbc.sql(
            """
            update migration_job set snapshot_completed_at = null, rows_snapshotted = 0,
              phase = case when phase = 'STREAMING' then 'SNAPSHOTTING' else phase end,
              updated_at = ?
            where id = ?""")
        .params(Timestamp.from(clock.instant()), id)
        .update();
  }

  void rowsTotal(UUID id, long total) {
    jdbc.sql("update migration_job set rows_total = ? where id = ?").params(total, id).update();
  }

  private static MigrationJob map(ResultSet rs, int row) throws SQLException {
    return new MigrationJob(
        rs.getObject("id", UUID.class),
        rs.getString("name"),
        rs.getString("source_url"),
        rs.getString("source_user"),
        rs.getString("source_password"),
        Arrays.asList(rs.getString("tables").split(",")),
        ZoneId.of(rs.getString("legacy_zone")),
        rs.getString("slot_name"),
        rs.getString("publication_name"),
        rs.getBoolean("dry_run"),
        rs.getObject("id_namespace", UUID.class),
        Phase.valueOf(rs.getString("phase")),
        rs.getString("error"),
        (Long) rs.getObject("rows_total"),
        rs.getLong("rows_snapshotted"),
        rs.getLong("events_streamed"),
        instant(rs, "last_event_source_at"),
        instant(rs, "last_event_applied_at"),
        (Long) rs.getObject("last_lag_ms"),
        instant(rs, "snapshot_completed_at"),
        Instant.ofEpochMilli(rs.getTimestamp("created_at").getTime()),
        Instant.ofEpochMilli(rs.getTimestamp("updated_at").getTime()));
  }

  private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
