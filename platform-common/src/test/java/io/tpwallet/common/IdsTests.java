package io.tpwallet.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.id.Ids;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTests {

  @Test
  void idsAreVersion7AndCarryTheirMillisecond() {
    Instant now = Instant.parse("2026-11-24T10:15:30.123Z");
    Ids ids = new Ids(Clock.fixed(now, ZoneOffset.UTC), new Random(1));
    UUID id = ids.next();
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(Ids.millisOf(id)).isEqualTo(now.toEpochMilli());
  }

  @Test
  void idsFromOneGeneratorStrictlyIncreaseEvenWithinOneMillisecond() {
    Ids ids = new Ids(Clock.fixed(Instant.EPOCH.plusSeconds(1), ZoneOffset.UTC), new Random(7));
    List<UUID> made = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      made.add(ids.next());
    }
    for (int i = 1; i < made.size(); i++) {
      // UUIDv7 sorts by its bytes; compare the unsigned most significant half first.
      int order =
          Long.compareUnsigned(
              made.get(i - 1).getMostSignificantBits(), made.get(i).getMostSignificantBits());
      assertThat(order).as("id %d", i).isLessThan(0);
    }
  }
}
