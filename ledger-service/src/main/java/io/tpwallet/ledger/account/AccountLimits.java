package io.tpwallet.ledger.account;

import io.tpwallet.common.event.AccountLimitChanged;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.outbox.Outbox;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Sets and clears an account's limit (one of the {@link AccountFlag}s) after it was opened, each
 * change recorded in the account's limit history (table {@code ledger_account_limit_change},
 * migration V11) and announced with {@link AccountLimitChanged}.
 *
 * <p>Race-free with postings: the accounts are locked with {@link Accounts#lockInIdOrder}, the
 * statement a batch of postings locks its accounts with, so that a change and a posting on the same
 * account run one after the other. A posting that locked first is counted by the overdraft check
 * here; one that locks after a limit was set reads the flag under its lock and is refused as
 * INSUFFICIENT_FUNDS. The database keeps the same rules: the limit's check constraint refuses a
 * flag on an account past it, and the account guard refuses a flag change without its history row
 * of the same transaction.
 */
@Service
public class AccountLimits {

  /** The most accounts one request changes (one transaction, one lock per account). */
  public static final int ACCOUNTS_PER_REQUEST_MAX = 1000;

  /** The longest reason, in characters (the column's check). */
  public static final int REASON_LENGTH_MAX = 256;

  /** The most changes one page of an account's limit history holds. */
  public static final int HISTORY_PAGE_SIZE_MAX = 200;

  /** What a change did to one account. */
  public enum Result {
    SET,
    ALREADY_SET,
    CLEARED,
    ALREADY_CLEAR,
    /** Not set: the account is already past the limit (it would be refused at once). */
    OVERDRAWN,
    NOT_FOUND,
    /** Not set: the account has the opposite limit (with both it could never be posted to). */
    CONFLICTING_FLAG;

    boolean changes() {
      return this == SET || this == CLEARED;
    }
  }

  /** One account's answer. */
  public record Outcome(UUID accountId, Result result) {}

  /** One row of an account's limit history; {@code seq} orders the history. */
  public record Change(
      long seq,
      UUID id,
      UUID accountId,
      AccountFlag limit,
      boolean set,
      String reason,
      Instant changedAt) {}

  private final Accounts accounts;
  private final JdbcClient jdbc;
  private final Outbox outbox;
  private final Clock clock;

  AccountLimits(Accounts accounts, JdbcClient jdbc, Outbox outbox, Clock clock) {
    this.accounts = accounts;
    this.jdbc = jdbc;
    this.outbox = outbox;
    this.clock = clock;
  }

  /**
   * Sets ({@code set}) or clears {@code limit} on each account, in one transaction, and answers one
   * outcome per account in the order given. Accounts whose answer is not SET or CLEARED are left as
   * they were. Repeating a request answers ALREADY_SET / ALREADY_CLEAR.
   */
  @Transactional
  public List<Outcome> change(AccountFlag limit, boolean set, String reason, List<UUID> ids) {
    if (ids.isEmpty() || ids.size() > ACCOUNTS_PER_REQUEST_MAX) {
      throw new IllegalArgumentException(
          "1.." + ACCOUNTS_PER_REQUEST_MAX + " accounts per change, not " + ids.size());
    }
    if (new LinkedHashSet<>(ids).size() != ids.size()) {
      throw new IllegalArgumentException("an account is named twice");
    }
    Map<UUID, Account> locked = new HashMap<>();
    for (Account a : accounts.lockInIdOrder(ids)) {
      locked.put(a.id(), a);
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    List<Outcome> outcomes = new ArrayList<>(ids.size());
    List<UUID> changed = new ArrayList<>();
    for (UUID id : ids) {
      Result result = decide(locked.get(id), limit, set);
      outcomes.add(new Outcome(id, result));
      if (result.changes()) {
        changed.add(id);
      }
    }
    if (!changed.isEmpty()) {
      write(limit, set, reason, changed, now);
    }
    return outcomes;
  }

  /**
   * What setting or clearing {@code limit} does to the account as locked: the same notion of "past
   * the limit" as the postings' check (PostingRules) and the database's check constraints, held
   * amounts included.
   */
  static Result decide(@Nullable Account account, AccountFlag limit, boolean set) {
    if (account == null) {
      return Result.NOT_FOUND;
    }
    if (!set) {
      return account.has(limit) ? Result.CLEARED : Result.ALREADY_CLEAR;
    }
    if (account.has(limit)) {
      return Result.ALREADY_SET;
    }
    if (account.has(opposite(limit))) {
      return Result.CONFLICTING_FLAG;
    }
    boolean past =
        switch (limit) {
          case DEBITS_MUST_NOT_EXCEED_CREDITS ->
              account.debitsPosted().add(account.debitsPending()).compareTo(account.creditsPosted())
                  > 0;
          case CREDITS_MUST_NOT_EXCEED_DEBITS ->
              account
                      .creditsPosted()
                      .add(account.creditsPending())
                      .compareTo(account.debitsPosted())
                  > 0;
        };
    return past ? Result.OVERDRAWN : Result.SET;
  }

  static AccountFlag opposite(AccountFlag limit) {
    return switch (limit) {
      case DEBITS_MUST_NOT_EXCEED_CREDITS -> AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS;
      case CREDITS_MUST_NOT_EXCEED_DEBITS -> AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS;
    };
  }

  /**
   * The history rows first, then the flags (the account guard looks for the rows of this
   * transaction when the update statement ends), then the events.
   */
  private void write(AccountFlag limit, boolean set, String reason, List<UUID> ids, Instant now) {
    String[] changeIds = new String[ids.size()];
    String[] accountIds = new String[ids.size()];
    List<Outbox.Message> events = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      UUID changeId = Ids.newId();
      changeIds[i] = changeId.toString();
      accountIds[i] = ids.get(i).toString();
      events.add(
          new Outbox.Message(
              Topics.LEDGER_ACCOUNT_LIMIT_CHANGED,
              accountIds[i],
              new AccountLimitChanged(changeId, ids.get(i), limit.name(), set, reason, now)));
    }
    jdbc.sql(
            """
            insert into ledger_account_limit_change
                (id, account_id, limit_name, set, reason, changed_at)
            select c.id, c.account_id, ?, ?, ?, ?
              from unnest(?::uuid[], ?::uuid[]) with ordinality as c(id, account_id, n)
             order by c.n""")
        .params(limit.name(), set, reason, now.atOffset(ZoneOffset.UTC), changeIds, accountIds)
        .update();
    int updated =
        jdbc.sql(
                "update ledger_account a set "
                    + column(limit)
                    + " = ? from unnest(?::uuid[]) as k(id) where a.id = k.id")
            .params(set, accountIds)
            .update();
    if (updated != ids.size()) {
      throw new IllegalStateException(updated + " of " + ids.size() + " accounts changed");
    }
    outbox.addAll(events);
  }

  /** The column of a limit's flag (a constant per flag, never input). */
  static String column(AccountFlag limit) {
    return switch (limit) {
      case DEBITS_MUST_NOT_EXCEED_CREDITS -> "debits_must_not_exceed_credits";
      case CREDITS_MUST_NOT_EXCEED_DEBITS -> "credits_must_not_exceed_debits";
    };
  }

  /**
   * An account's limit changes, newest first, at most {@code limit} (clamped to 1..{@link
   * #HISTORY_PAGE_SIZE_MAX}), those before {@code beforeSeq} when given.
   */
  public List<Change> history(UUID accountId, int limit, @Nullable Long beforeSeq) {
    int bounded = Math.max(1, Math.min(limit, HISTORY_PAGE_SIZE_MAX));
    return jdbc.sql(
            """
            select seq, id, account_id, limit_name, set, reason, changed_at
              from ledger_account_limit_change
             where account_id = ? and seq < ?
             order by seq desc
             limit ?""")
        .params(accountId, beforeSeq == null ? Long.MAX_VALUE : beforeSeq, bounded)
        .query(
            (rs, i) ->
                new Change(
                    rs.getLong("seq"),
                    rs.getObject("id", UUID.class),
                    rs.getObject("account_id", UUID.class),
                    AccountFlag.valueOf(rs.getString("limit_name")),
                    rs.getBoolean("set"),
                    rs.getString("reason"),
                    rs.getTimestamp("changed_at").toInstant()))
        .list();
  }
}
