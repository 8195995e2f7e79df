package io.tpwallet.account.webhook;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code tpw.account.webhooks}: the key that seals merchants' signing secrets, the retry budget and
 * backoff, and the dispatcher's pace.
 *
 * @param encryptionKey base64 of 32 random bytes (AES-256); without it no webhook can be made
 * @param attemptsMax attempts per round (creation or replay) before a delivery is DEAD
 * @param backoffFirst the wait after the first failed attempt; it doubles after each one
 * @param backoffMax the longest wait between two attempts
 * @param allowPrivateTargets whether a webhook may point at loopback or private addresses (local
 *     runs and tests only: in production that would let a merchant reach internal services)
 */
@ConfigurationProperties("tpw.account.webhooks")
record WebhookProperties(
    @Nullable String encryptionKey,
    int attemptsMax,
    @Nullable Duration backoffFirst,
    @Nullable Duration backoffMax,
    @Nullable Duration timeout,
    @Nullable Duration lease,
    int batchMax,
    boolean allowPrivateTargets) {

  WebhookProperties {
    attemptsMax = attemptsMax <= 0 ? 8 : Math.min(attemptsMax, 20);
    backoffFirst = backoffFirst == null ? Duration.ofSeconds(1) : backoffFirst;
    backoffMax = backoffMax == null ? Duration.ofHours(1) : backoffMax;
    timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
    lease = lease == null ? Duration.ofSeconds(60) : lease;
    batchMax = batchMax <= 0 ? 20 : Math.min(batchMax, 200);
  }

  /** The wait after the {@code n}th failed attempt of a round (n >= 1). */
  Duration backoffAfter(int n) {
    Duration wait = backoffFirst;
    for (int i = 1; i < n && wait.compareTo(backoffMax) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(backoffMax) > 0 ? backoffMax : wait;
  }
}
