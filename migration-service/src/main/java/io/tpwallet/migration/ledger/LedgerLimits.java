package io.tpwallet.migration.ledger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
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
    List<Callable<List<LedgerClient.LimitResult>>> calls = new ArrayList<>();
    for (int from = 0; from < accountIds.size(); from += LedgerClient.LIMIT_ACCOUNTS_MAX) {
      List<UUID> ids =
          List.copyOf(
              accountIds.subList(
                  from, Math.min(from + LedgerClient.LIMIT_ACCOUNTS_MAX, accountIds.size())));
      calls.add(() -> ledger.limits(ids, set, reason));
    }
    Map<UUID, String> results = new LinkedHashMap<>();
    for (List<LedgerClient.LimitResult> answered :
        LedgerCalls.all(calls, CALLS_MAX, "ledger-limits", "setting ledger limits")) {
      for (LedgerClient.LimitResult r : answered) {
        results.put(r.accountId(), r.result());
      }
    }
    return results;
  }
}
