package io.tpwallet.migration.ledger;

import io.tpwallet.common.thread.DaemonThreads;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.stereotype.Component;

/**
 * Sets or clears the ledger's no-overdraft limit on many accounts: in chunks of {@link
 * LedgerClient#LIMIT_ACCOUNTS_MAX}, {@link #CALLS_MAX} chunks at a time, because a cutover does it
 * for every migrated wallet while legacy is frozen (100,000 wallets one chunk after the other would
 * be 100 round trips and ledger commits in a row).
 */
@Component
public class LedgerLimits {

  /** The most limits calls in flight at once: the ledger commits each chunk in one transaction. */
  public static final int CALLS_MAX = 4;

  private final LedgerClient ledger;

  LedgerLimits(LedgerClient ledger) {
    this.ledger = ledger;
  }

  /**
   * Sets ({@code set}) or clears the limit of every account of {@code accountIds} (no duplicates)
   * and answers each account's result. The first failed call fails the whole: {@link
   * LedgerUnavailable} when the ledger is down or the caller is interrupted, the call's own
   * exception otherwise; the chunks already done stay done, so the caller decides what to undo.
   */
  public Map<UUID, String> apply(List<UUID> accountIds, boolean set, String reason) {
    Map<UUID, String> results = new LinkedHashMap<>();
    if (accountIds.isEmpty()) {
      return results;
    }
    int chunk = LedgerClient.LIMIT_ACCOUNTS_MAX;
    int chunks = (accountIds.size() + chunk - 1) / chunk;
    ExecutorService callers =
        Executors.newFixedThreadPool(
            Math.min(CALLS_MAX, chunks), DaemonThreads.named("ledger-limits"));
    try {
      List<Future<List<LedgerClient.LimitResult>>> calls = new ArrayList<>(chunks);
      for (int from = 0; from < accountIds.size(); from += chunk) {
        List<UUID> ids =
            List.copyOf(accountIds.subList(from, Math.min(from + chunk, accountIds.size())));
        calls.add(callers.submit(() -> ledger.limits(ids, set, reason)));
      }
      for (Future<List<LedgerClient.LimitResult>> call : calls) {
        for (LedgerClient.LimitResult r : call.get()) {
          results.put(r.accountId(), r.result());
        }
      }
      return results;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException("a ledger limits call failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LedgerUnavailable("interrupted while setting ledger limits", e);
    } finally {
      callers.shutdownNow();
    }
  }
}
