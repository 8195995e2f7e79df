package io.tpwallet.migration.job;

import io.tpwallet.migration.transform.LegacyIds;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A migration job as stored: its source, options and progress. */
public record MigrationJob(
    UUID id,
    String name,
    String sourceUrl,
    String sourceUser,
    String sourcePassword,
    List<String> tables,
    ZoneId legacyZone,
    String slotName,
    String publicationName,
    boolean dryRun,
    UUID idNamespace,
    Phase phase,
    @Nullable String error,
    @Nullable Long rowsTotal,
    long rowsSnapshotted,
    long eventsStreamed,
    @Nullable Instant lastEventSourceAt,
    @Nullable Instant lastEventAppliedAt,
    @Nullable Long lastLagMs,
    @Nullable Instant snapshotCompletedAt,
    Instant createdAt,
    Instant updatedAt) {

  /** The ids of what the job creates in the ledger, in the job's namespace. */
  public LegacyIds ids() {
    return new LegacyIds(idNamespace);
  }

  public boolean snapshotCompleted() {
    return snapshotCompletedAt != null;
  }

  /**
   * The Debezium topic prefix (part of the stored offsets' key): unique per job, the same 12 hex
   * digits as its slot name.
   */
  public String topicPrefix() {
    return "legacy_" + slotName.substring(slotName.lastIndexOf('_') + 1);
  }
}
