package io.tpwallet.migration.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ConcurrentModificationException;
import org.junit.jupiter.api.Test;

class EngineRaceTests {

  private static Throwable thrownAt(Throwable t, String className) {
    t.setStackTrace(
        new StackTraceElement[] {new StackTraceElement(className, "sendWindowEvents", null, 173)});
    return t;
  }

  @Test
  void onlyAConcurrentModificationInsideTheIncrementalSnapshotRestartsTheEngine() {
    Throwable race =
        new IllegalStateException(
            "engine failed",
            thrownAt(
                new ConcurrentModificationException(),
                "io.debezium.pipeline.source.snapshot.incremental."
                    + "AbstractIncrementalSnapshotChangeEventSource"));
    assertThat(JobRunner.incrementalSnapshotRace(race)).isTrue();

    Throwable elsewhere =
        new IllegalStateException(
            "engine failed",
            thrownAt(new ConcurrentModificationException(), "io.tpwallet.migration.job.X"));
    assertThat(JobRunner.incrementalSnapshotRace(elsewhere)).isFalse();

    Throwable otherError =
        thrownAt(
            new IllegalStateException("slot gone"),
            "io.debezium.pipeline.source.snapshot.incremental.AbstractIncrementalSnapshot");
    assertThat(JobRunner.incrementalSnapshotRace(otherError)).isFalse();
  }
}
