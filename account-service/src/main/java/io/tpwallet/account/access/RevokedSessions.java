package io.tpwallet.account.access;

import java.util.UUID;

/**
 * Whether a login session has ended, so that this service refuses the access tokens of a revoked
 * session at once rather than when they expire. Implemented by the device feature.
 */
public interface RevokedSessions {

  /** True when the session was revoked (or never existed). */
  boolean isRevoked(UUID sessionId);
}
