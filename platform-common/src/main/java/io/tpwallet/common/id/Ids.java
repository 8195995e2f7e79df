package io.tpwallet.common.id;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Random;
import java.util.UUID;

/**
 * Makes time-ordered UUIDv7 ids (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids
 * made by one generator are strictly increasing even within one millisecond, so that they sort in
 * creation order and index well.
 */
public final class Ids {

  private static final Ids DEFAULT = new Ids(Clock.systemUTC(), new SecureRandom());

  private final Clock clock;
  private final Random random;
  private long lastMillis = -1;
  private long lastSequence;

  public Ids(Clock clock, Random random) {
    this.clock = clock;
    this.random = random;
  }

  /** A new UUIDv7 from the system clock and a secure random source. */
  public static UUID newId() {
    return DEFAULT.next();
  }

  /** The Unix milliseconds a UUIDv7 carries. */
  public static long millisOf(UUID v7) {
    if (v7.version() != 7) {
      throw new IllegalArgumentException("not a UUIDv7: " + v7);
    }
    return v7.getMostSignificantBits() >>> 16;
  }

  public synchronized UUID next() {
    long millis = clock.millis();
    long sequence;
    if (millis <= lastMillis) {
      // Same (or an earlier, if the clock stepped back) millisecond: count up within the
      // last one so that ids never go backwards.
      millis = lastMillis;
      sequence = lastSequence + 1;
      if (sequence > 0xFFF) {
        millis++;
        sequence = random.nextInt(0x800);
      }
    } else {
      sequence = random.nextInt(0x800);
    }
    lastMillis = millis;
    lastSequence = sequence;
    long msb = (millis << 16) | (0x7L << 12) | sequence;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }
}
