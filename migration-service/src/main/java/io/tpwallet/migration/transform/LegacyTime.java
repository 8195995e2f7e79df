package io.tpwallet.migration.transform;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

/**
 * Legacy timestamps are wall-clock times of the legacy data centre without a zone; the platform
 * keeps instants in UTC.
 */
public final class LegacyTime {

  private LegacyTime() {}

  /**
   * The instant a legacy local time meant in {@code zone}. In the autumn overlap the earlier offset
   * is taken (the legacy app wrote times as they happened, so the first pass is likelier and the
   * choice is stable); a time in the spring gap never existed and is refused.
   */
  public static Instant toUtc(LocalDateTime local, ZoneId zone) {
    var offsets = zone.getRules().getValidOffsets(local);
    if (offsets.isEmpty()) {
      throw new Refusal(
          Refusal.NONEXISTENT_LOCAL_TIME, local + " does not exist in " + zone + " (DST gap)");
    }
    return local.toInstant(offsets.get(0));
  }

  /**
   * Debezium sends a PostgreSQL {@code timestamp} (without zone) as microseconds since the epoch of
   * that wall-clock time read as if it were UTC; this gives the wall-clock time back.
   */
  public static LocalDateTime fromEpochMicros(long micros) {
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L),
        (int) Math.floorMod(micros, 1_000_000L) * 1000,
        java.time.ZoneOffset.UTC);
  }
}
