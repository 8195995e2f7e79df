package io.tpwallet.migration.cli;

import java.util.Set;
import tools.jackson.databind.JsonNode;

/** The one-line progress of {@code status --watch}: phase, bar, rows, events/s, lag, ETA. */
final class Progress {

  static final int BAR_WIDTH = 30;

  /** Phases in which the job no longer moves by itself: the watch ends there. */
  static final Set<String> STILL =
      Set.of("CUT_OVER", "PAUSED", "FAILED", "CREATED", "FINISHED", "ABANDONED");

  private Progress() {}

  static String line(JsonNode status) {
    String phase = status.path("phase").asString("?");
    long rows = status.path("rowsSnapshotted").asLong(0);
    JsonNode total = status.path("rowsTotal");
    int percent = 0;
    if (total.isNumber() && total.asLong() > 0) {
      percent = (int) Math.min(100, rows * 100 / total.asLong());
    }
    if (status.path("snapshotCompletedAt").isString()) {
      percent = 100;
    }
    int filled = percent * BAR_WIDTH / 100;
    return String.format(
        "%-18s [%s%s] %3d%% rows %d/%s  events %d (%s/s)  lag %s ms  eta %s",
        phase,
        "#".repeat(filled),
        " ".repeat(BAR_WIDTH - filled),
        percent,
        rows,
        total.isNumber() ? String.valueOf(total.asLong()) : "-",
        status.path("eventsStreamed").asLong(0),
        number(status.path("eventsPerSecond")),
        number(status.path("lagMs")),
        eta(status.path("etaSeconds")));
  }

  static boolean still(JsonNode status) {
    return STILL.contains(status.path("phase").asString(""));
  }

  private static String number(JsonNode n) {
    return n.isNumber() ? String.valueOf(Math.round(n.asDouble())) : "-";
  }

  private static String eta(JsonNode seconds) {
    if (!seconds.isNumber()) {
      return "-";
    }
    long s = seconds.asLong();
    return s >= 3600
        ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
        : String.format("%dm%02ds", s / 60, s % 60);
  }
}
