package io.tpwallet.account.migration;

import io.tpwallet.account.access.Access;
import io.tpwallet.account.access.FieldErrors;
import io.tpwallet.account.access.Scopes;
import io.tpwallet.account.wallet.LegacyWallets;
import io.tpwallet.account.wallet.Wallet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/accounts/admin/migrations/{jobId}...}: how a migration job's imported wallets stand,
 * for operations ({@code admin:accounts}) before and after a cutover.
 */
@RestController
@RequestMapping("/v1/accounts/admin/migrations")
class MigrationController {

  static final int PAGE_SIZE_DEFAULT = 100;
  private static final Set<String> STATUSES = Set.of(Wallet.MIGRATING, Wallet.ACTIVE, Wallet.HELD);

  private final LegacyWallets wallets;
  private final Access access;

  MigrationController(LegacyWallets wallets, Access access) {
    this.wallets = wallets;
    this.access = access;
  }

  /** The job's wallets per status, how many wait for their customer, and its latest cutover. */
  @GetMapping("/{jobId}")
  LegacyWallets.Summary summary(@PathVariable UUID jobId) {
    access.require(Scopes.ADMIN_ACCOUNTS, "migration.read");
    return wallets.summary(jobId);
  }

  /** One page of the job's imported wallets, {@code status} MIGRATING, ACTIVE or HELD (or all). */
  record Page(List<LegacyWallets.Imported> wallets, @Nullable String next) {}

  /**
   * The job's imported wallets in id order, {@code limit} (1..500, default 100) at a time; {@code
   * next} is the {@code after} of the following page, null on the last.
   */
  @GetMapping("/{jobId}/wallets")
  Page wallets(
      @PathVariable UUID jobId,
      @RequestParam(required = false) @Nullable String status,
      @RequestParam(required = false) @Nullable String after,
      @RequestParam(required = false) @Nullable Integer limit) {
    access.require(Scopes.ADMIN_ACCOUNTS, "migration.read");
    var errors = new FieldErrors();
    if (status != null && !STATUSES.contains(status)) {
      errors.add("status", "must be one of MIGRATING, ACTIVE, HELD");
    }
    UUID from = null;
    if (after != null) {
      try {
        from = UUID.fromString(after);
      } catch (IllegalArgumentException e) {
        errors.add("after", "must be the next of an earlier page");
      }
    }
    int size = limit == null ? PAGE_SIZE_DEFAULT : limit;
    if (size < 1 || size > LegacyWallets.PAGE_SIZE_MAX) {
      errors.add("limit", "must be 1.." + LegacyWallets.PAGE_SIZE_MAX);
    }
    errors.throwIfAny("Invalid page");
    List<LegacyWallets.Imported> page = wallets.page(jobId, status, from, size);
    String next = page.size() < size ? null : page.get(page.size() - 1).id().toString();
    return new Page(page, next);
  }
}
