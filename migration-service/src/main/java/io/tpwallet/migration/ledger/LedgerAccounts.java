package io.tpwallet.migration.ledger;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Opens the ledger accounts the migration posts to, each once: an account already recorded as
 * opened (table {@code ledger_account}) is not asked for again; one not recorded is opened over
 * REST, which is idempotent, so a crash between opening and recording costs one repeated call.
 */
@Component
public class LedgerAccounts {

  /** The first and the longest pause between attempts while the ledger is unavailable. */
  public static final Duration BACKOFF_MIN = Duration.ofMillis(200);

  public static final Duration BACKOFF_MAX = Duration.ofSeconds(5);

  private final LedgerClient ledger;
  private final JdbcClient jdbc;
  private final Clock clock;

  LedgerAccounts(LedgerClient ledger, JdbcClient jdbc, Clock clock) {
    this.ledger = ledger;
    this.jdbc = jdbc;
    this.clock = clock;
  }

  public String ledgerUrl() {
    return ledger.url();
  }

  public boolean isOpen(AccountSpec spec) {
    return jdbc.sql("select count(*) from ledger_account where account_id = ?")
            .param(spec.id())
            .query(Long.class)
            .single()
        > 0;
  }

  /** Which of {@code ids} are recorded as open, with one query (a batch asks once, not per row). */
  public Set<UUID> openAmong(Collection<UUID> ids) {
    if (ids.isEmpty()) {
      return Set.of();
    }
    return new HashSet<>(
        jdbc.sql("select account_id from ledger_account where account_id = any(?)")
            .param(ids.toArray(UUID[]::new))
            .query(UUID.class)
            .list());
  }

  /** Opens the account unless recorded as open; one attempt, {@link LedgerUnavailable} if down. */
  public void ensureOpen(AccountSpec spec) {
    if (isOpen(spec)) {
      return;
    }
    ledger.open(spec);
    jdbc.sql(
            """
            insert into ledger_account (account_id, asset, code, owner_ref, opened_at)
            values (?, ?, ?, ?, ?) on conflict do nothing""")
        .params(
            spec.id(),
            spec.asset().code(),
            spec.code(),
            spec.ownerRef(),
            Timestamp.from(clock.instant()))
        .update();
  }

  /**
   * The most accounts opened at the same time: the job's start opens one per legacy wallet, and one
   * call after the other (a round trip and a ledger commit each, ~30 ms on a loaded machine) was a
   * quarter of a 100,000-row snapshot's time.
   */
  static final int OPENING_CALLS_MAX = 8;

  /**
   * Opens every account of {@code specs} not recorded as open, {@link #OPENING_CALLS_MAX} calls at
   * a time, and returns once all are open; one attempt each, {@link LedgerUnavailable} if the
   * ledger is down (or the caller is interrupted), the first other failure as it was thrown.
   */
  public void ensureAllOpen(List<AccountSpec> specs) {
    Set<UUID> open = openAmong(specs.stream().map(AccountSpec::id).toList());
    List<AccountSpec> missing = specs.stream().filter(s -> !open.contains(s.id())).toList();
    List<Callable<Void>> calls = new ArrayList<>(missing.size());
    for (AccountSpec spec : missing) {
      calls.add(
          () -> {
            ensureOpen(spec);
            return null;
          });
    }
    LedgerCalls.all(calls, OPENING_CALLS_MAX, "open-ledger-account", "opening the ledger accounts");
  }

  /**
   * Opens the account, retrying with exponential backoff while the ledger is unavailable, for at
   * most {@code retryMax}; then throws the last {@link LedgerUnavailable}.
   */
  public void ensureOpen(AccountSpec spec, Duration retryMax) {
    long deadline = System.nanoTime() + retryMax.toNanos();
    Duration backoff = BACKOFF_MIN;
    while (true) {
      try {
        ensureOpen(spec);
        return;
      } catch (LedgerUnavailable e) {
        if (System.nanoTime() + backoff.toNanos() > deadline) {
          throw e;
        }
        sleep(backoff);
        backoff = next(backoff);
      }
    }
  }

  /**
   * The next pause of an exponential backoff between {@link #BACKOFF_MIN} and {@link #BACKOFF_MAX}.
   */
  public static Duration next(Duration backoff) {
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : doubled;
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LedgerUnavailable("interrupted while waiting for ledger-service", e);
    }
  }
}
