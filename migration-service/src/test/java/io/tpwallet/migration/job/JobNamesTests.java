package io.tpwallet.migration.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.id.Ids;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobNamesTests {

  @Test
  void jobsCreatedInTheSameMillisecondGetTheirOwnSlot() {
    Set<String> slots = new HashSet<>();
    Set<Long> milliseconds = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      UUID id = Ids.newId();
      milliseconds.add(id.getMostSignificantBits() >>> 16);
      String slot = MigrationJobs.slotName(id);
      assertThat(slot).matches("tpw_mig_[0-9a-f]{12}");
      slots.add(slot);
    }
    assertThat(milliseconds.size()).as("several ids per millisecond").isLessThan(1_000);
    assertThat(slots).hasSize(1_000);
  }
}
