package io.tpwallet.migration.job;

/** Where a migration job is. */
public enum Phase {
  CREATED,
  SNAPSHOTTING,
  STREAMING,
  PAUSED,
  FAILED
}
