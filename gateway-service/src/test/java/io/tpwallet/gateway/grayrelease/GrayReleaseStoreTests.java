package io.tpwallet.gateway.grayrelease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrayReleaseStoreTests {

  final Clock clock = Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);

  @Test
  void aChangeSurvivesARestartAndIsAuditedWithWhoWhatWhenAndWhere(@TempDir Path dir)
      throws Exception {
    GrayReleaseStore store = new GrayReleaseStore(dir, clock);
    assertThat(store.current()).isEqualTo(GrayRelease.allLegacy());

    store.change(new GrayRelease(20, Set.of("alice"), Set.of("bob")), "ops-1", "10.0.0.7");

    GrayReleaseStore restarted = new GrayReleaseStore(dir, clock);
    assertThat(restarted.current()).isEqualTo(new GrayRelease(20, Set.of("alice"), Set.of("bob")));
    List<String> audit = Files.readAllLines(dir.resolve("gray-release-audit.log"));
    assertThat(audit)
        .containsExactly(
            "2026-11-24T10:00:00Z\tops-1\t10.0.0.7\tfrom percent=0 allow= deny=\tto percent=20"
                + " allow=alice deny=bob");
  }

  @Test
  void aListedUserWithASeparatorIsRefusedAndNothingChanges(@TempDir Path dir) throws Exception {
    GrayReleaseStore store = new GrayReleaseStore(dir, clock);

    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> store.change(new GrayRelease(50, Set.of("a,b"), Set.of()), "ops-1", "::1"));

    assertThat(store.current()).isEqualTo(GrayRelease.allLegacy());
    assertThat(dir.resolve("gray-release-audit.log")).doesNotExist();
    assertThat(new GrayReleaseStore(dir, clock).current()).isEqualTo(GrayRelease.allLegacy());
  }
}
