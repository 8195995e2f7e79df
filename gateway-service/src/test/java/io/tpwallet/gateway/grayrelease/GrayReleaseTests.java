package io.tpwallet.gateway.grayrelease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tpwallet.gateway.grayrelease.GrayRelease.Side;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class GrayReleaseTests {

  private static final int USERS = 1_000;

  /** 1,000 random user ids from {@code seed} (printed, so a failure can be replayed). */
  private static List<String> users(long seed) {
    System.out.println("GrayReleaseTests seed " + seed);
    Random random = new Random(seed);
    List<String> users = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      users.add(new UUID(random.nextLong(), random.nextLong()).toString());
    }
    return users;
  }

  @Test
  void at20PercentAbout200Of1000UsersGoToTheNewSideAndStayThere() {
    long seed = System.nanoTime();
    GrayRelease release = new GrayRelease(20, Set.of(), Set.of());
    List<String> users = users(seed);

    long onNew = users.stream().filter(u -> release.sideOf(u) == Side.NEW).count();

    // Binomial(1000, 0.2): mean 200, sd 12.6; +-5 sd fails about once in 1.7 million runs.
    assertThat(onNew).as("seed %d", seed).isBetween(137L, 263L);
    for (String user : users) {
      Side first = release.sideOf(user);
      for (int i = 0; i < 5; i++) {
        assertThat(release.sideOf(user)).as("seed %d user %s", seed, user).isEqualTo(first);
      }
    }
  }

  @Test
  void raisingTo50PercentOnlyMovesUsersFromLegacyToNew() {
    long seed = System.nanoTime();
    GrayRelease at20 = new GrayRelease(20, Set.of(), Set.of());
    GrayRelease at50 = new GrayRelease(50, Set.of(), Set.of());
    List<String> users = users(seed);

    long moved = 0;
    for (String user : users) {
      if (at20.sideOf(user) == Side.NEW) {
        assertThat(at50.sideOf(user)).as("seed %d user %s", seed, user).isEqualTo(Side.NEW);
      } else if (at50.sideOf(user) == Side.NEW) {
        moved++;
      }
    }
    // Binomial(1000, 0.3) moved: mean 300, sd 14.5, +-5 sd.
    assertThat(moved).as("seed %d", seed).isBetween(228L, 372L);
  }

  @Test
  void everyPercentStepIsMonotoneForEveryUser() {
    long seed = System.nanoTime();
    for (String user : users(seed)) {
      boolean wasNew = false;
      for (int percent = 0; percent <= 100; percent++) {
        boolean isNew = new GrayRelease(percent, Set.of(), Set.of()).sideOf(user) == Side.NEW;
        assertThat(!wasNew || isNew).as("seed %d user %s at %d %%", seed, user, percent).isTrue();
        wasNew = isNew;
      }
      assertThat(wasNew).as("at 100 %% everyone is on the new side").isTrue();
    }
  }

  @Test
  void zeroPercentSendsEveryoneToLegacy() {
    GrayRelease release = GrayRelease.allLegacy();

    assertThat(users(1L)).allMatch(u -> release.sideOf(u) == Side.LEGACY);
  }

  @Test
  void allowAndDenyListsPinUsersAndDenyWins() {
    GrayRelease release = new GrayRelease(100, Set.of("alice", "bob"), Set.of("bob", "carol"));

    assertThat(release.sideOf("alice")).isEqualTo(Side.NEW);
    assertThat(release.sideOf("bob")).isEqualTo(Side.LEGACY);
    assertThat(release.sideOf("carol")).isEqualTo(Side.LEGACY);
    assertThat(release.sideOf("dave")).isEqualTo(Side.NEW);
    assertThat(new GrayRelease(0, Set.of("alice"), Set.of()).sideOf("alice")).isEqualTo(Side.NEW);
  }

  @Test
  void percentOutside0To100AndOverlongUserIdsAreRefused() {
    assertThat(new GrayRelease(100, Set.of(), Set.of()).percent()).isEqualTo(100);
    assertThatIllegalArgumentException().isThrownBy(() -> new GrayRelease(101, Set.of(), Set.of()));
    assertThatIllegalArgumentException().isThrownBy(() -> new GrayRelease(-1, Set.of(), Set.of()));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new GrayRelease(10, Set.of("x".repeat(129)), Set.of()));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new GrayRelease(10, Set.of(), Set.of("")));
    assertThat(new GrayRelease(10, Set.of("x".repeat(128)), Set.of()).allow()).hasSize(1);
  }
}
