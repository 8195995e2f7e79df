package io.tpwallet.signing.node;

import io.tpwallet.signing.frost.SigningNonces;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Round-one nonces waiting for round two, in memory only: never persisted, so a restarted node has
 * none and can never reuse one. Taking a session removes it, so a second round two for the same
 * session finds nothing; unused sessions expire and are destroyed.
 */
final class NonceSessions {

  /** Nonces made for one key, with when they were made. */
  record Session(String keyId, SigningNonces nonces, Instant createdAt) {}

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration ttl;
  private final int sessionsMax;

  NonceSessions(Clock clock, Duration ttl, int sessionsMax) {
    this.clock = clock;
    this.ttl = ttl;
    this.sessionsMax = sessionsMax;
  }

  /** False when the node already holds as many open sessions as it allows. */
  boolean put(String sessionId, String keyId, SigningNonces nonces) {
    expire();
    if (sessions.size() >= sessionsMax) {
      nonces.destroy();
      return false;
    }
    sessions.put(sessionId, new Session(keyId, nonces, clock.instant()));
    return true;
  }

  /** Removes and returns the session; it cannot be taken twice. */
  Optional<Session> take(String sessionId) {
    @Nullable Session s = sessions.remove(sessionId);
    if (s == null) {
      return Optional.empty();
    }
    if (s.createdAt().plus(ttl).isBefore(clock.instant())) {
      s.nonces().destroy();
      return Optional.empty();
    }
    return Optional.of(s);
  }

  int sessionsMax() {
    return sessionsMax;
  }

  int size() {
    return sessions.size();
  }

  private void expire() {
    Instant cutoff = clock.instant().minus(ttl);
    for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
      Session s = it.next();
      if (s.createdAt().isBefore(cutoff)) {
        s.nonces().destroy();
        it.remove();
      }
    }
  }
}
