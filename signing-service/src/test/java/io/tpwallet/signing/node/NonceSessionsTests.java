package io.tpwallet.signing.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.signing.frost.Ciphersuites;
import io.tpwallet.signing.frost.Frost;
import io.tpwallet.signing.frost.RandomSource;
import io.tpwallet.signing.frost.SigningNonces;
import io.tpwallet.signing.frost.TrustedDealer;
import io.tpwallet.testkit.SettableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NonceSessionsTests {

  private final SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));

  private static SigningNonces nonces() {
    var suite = Ciphersuites.ED25519_SHA512;
    var key = TrustedDealer.generate(suite, 3, 2, RandomSource.secure());
    return new Frost(suite)
        .commit(key.keyPackages().values().iterator().next(), RandomSource.secure());
  }

  @Test
  void aSessionCanBeTakenOnceOnly() {
    var sessions = new NonceSessions(clock, Duration.ofSeconds(60), 10);
    sessions.put("s1", "k", nonces());

    assertThat(sessions.take("s1")).isPresent();
    assertThat(sessions.take("s1")).isEmpty();
  }

  @Test
  void anExpiredSessionIsGoneAndItsNoncesDestroyed() {
    var sessions = new NonceSessions(clock, Duration.ofSeconds(60), 10);
    SigningNonces n = nonces();
    sessions.put("s1", "k", n);

    clock.advance(Duration.ofSeconds(61));

    assertThat(sessions.take("s1")).isEmpty();
    assertThat(n.isConsumed()).isTrue();
  }

  @Test
  void theNumberOfOpenSessionsIsBounded() {
    var sessions = new NonceSessions(clock, Duration.ofSeconds(60), 2);
    assertThat(sessions.put("a", "k", nonces())).isTrue();
    assertThat(sessions.put("b", "k", nonces())).isTrue();
    SigningNonces third = nonces();

    assertThat(sessions.put("c", "k", third)).isFalse();
    assertThat(third.isConsumed()).isTrue();
    assertThat(sessions.size()).isEqualTo(2);
  }
}
