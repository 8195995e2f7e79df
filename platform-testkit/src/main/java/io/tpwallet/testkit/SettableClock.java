package io.tpwallet.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A UTC clock a test sets, so that expiry, day totals and month boundaries can be tested exactly.
 * {@link #at} stands still until the test moves it; {@link #system} follows the system clock until
 * the test sets it, and again after {@link #release}.
 */
public final class SettableClock extends Clock {

  private final AtomicReference<@Nullable Instant> fixed;

  private SettableClock(@Nullable Instant start) {
    this.fixed = new AtomicReference<>(start);
  }

  /** A clock standing at {@code start}. */
  public static SettableClock at(Instant start) {
    return new SettableClock(start);
  }

  /** A clock that reads the system clock until it is set. */
  public static SettableClock system() {
    return new SettableClock(null);
  }

  /** Stands the clock at {@code instant}. */
  public void set(Instant instant) {
    fixed.set(instant);
  }

  /** Moves the clock on by {@code step}, from where it stands (or from now, if it follows). */
  public void advance(Duration step) {
    fixed.updateAndGet(t -> (t == null ? Instant.now() : t).plus(step));
  }

  /** Lets the clock follow the system clock again. */
  public void release() {
    fixed.set(null);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    Instant at = fixed.get();
    return at == null ? Instant.now() : at;
  }
}
