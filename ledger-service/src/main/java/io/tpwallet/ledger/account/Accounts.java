package io.tpwallet.ledger.account;

import io.tpwallet.common.money.Asset;
import io.tpwallet.common.money.Money;
import io.tpwallet.ledger.jdbc.Pipeline;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The ledger's accounts: opening them (idempotent by id) and, for postings, locking them and moving
 * their posted totals.
 */
@Repository
public class Accounts {

  private static final String COLUMNS =
      """
      id, asset, asset_scale, code, owner_ref, debits_must_not_exceed_credits,
      credits_must_not_exceed_debits, debits_posted, credits_posted, debits_pending,
      credits_pending, created_at""";

  private final JdbcClient jdbc;
  private final JdbcOperations template;

  public Accounts(JdbcClient jdbc, JdbcOperations template) {
    this.jdbc = jdbc;
    this.template = template;
  }

  /** An account's four totals as a batch leaves them. */
  public record Totals(
      UUID id,
      BigInteger debitsPosted,
      BigInteger creditsPosted,
      BigInteger debitsPending,
      BigInteger creditsPending) {}

  /** What opening an account did. */
  public enum Opened {
    CREATED,
    EXISTS,
    EXISTS_WITH_DIFFERENT_FIELDS
  }

  /** The outcome of {@link #open}: the account now stored under the id. */
  public record Opening(Opened result, Account account) {}

  /**
   * Opens an account, or finds the one already opened under the same id. A concurrent open of the
   * same id waits on the primary key and then finds the winner's row.
   */
  @Transactional
  public Opening open(
      UUID id, Asset asset, String code, @Nullable String ownerRef, EnumSet<AccountFlag> flags) {
    int inserted =
        jdbc.sql(
                """
                insert into ledger_account (id, asset, asset_scale, code, owner_ref,
                    debits_must_not_exceed_credits, credits_must_not_exceed_debits)
                values (?, ?, ?, ?, ?, ?, ?)
                on conflict (id) do nothing""")
            .params(
                id,
                asset.code(),
                asset.scale(),
                code,
                ownerRef,
                flags.contains(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS),
                flags.contains(AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS))
            .update();
    Account stored = find(id).orElseThrow(() -> new IllegalStateException("account " + id));
    if (inserted == 1) {
      return new Opening(Opened.CREATED, stored);
    }
    boolean same =
        stored.asset().equals(asset)
            && stored.code().equals(code)
            && Objects.equals(stored.ownerRef(), ownerRef)
            && openedWith(stored).equals(flags);
    return new Opening(same ? Opened.EXISTS : Opened.EXISTS_WITH_DIFFERENT_FIELDS, stored);
  }

  /**
   * The flags the account was opened with: its flags now, with each limit that was changed since
   * (AccountLimits) as it was before its first change. Opening is idempotent on what was asked at
   * opening, so that the opener (a migration restarting after its cutover set a limit) is answered
   * EXISTS, not 409; the answer shows the flags the account has now.
   */
  private EnumSet<AccountFlag> openedWith(Account account) {
    EnumSet<AccountFlag> flags = EnumSet.noneOf(AccountFlag.class);
    flags.addAll(account.flags());
    List<Map.Entry<AccountFlag, Boolean>> firstChanges =
        jdbc.sql(
                """
                select distinct on (limit_name) limit_name, set from ledger_account_limit_change
                 where account_id = ? order by limit_name, seq""")
            .param(account.id())
            .query(
                (rs, i) ->
                    Map.entry(
                        AccountFlag.valueOf(rs.getString("limit_name")), rs.getBoolean("set")))
            .list();
    for (Map.Entry<AccountFlag, Boolean> first : firstChanges) {
      if (first.getValue()) {
        flags.remove(first.getKey());
      } else {
        flags.add(first.getKey());
      }
    }
    return flags;
  }

  public Optional<Account> find(UUID id) {
    return jdbc.sql("select " + COLUMNS + " from ledger_account where id = ?")
        .param(id)
        .query(Accounts::account)
        .optional();
  }

  /**
   * Locks the accounts of a batch, always in id order (PostgreSQL's uuid order, the same for every
   * transaction), so that two batches touching the same accounts in any order wait for each other
   * instead of deadlocking. Returns those that exist.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public List<Account> lockInIdOrder(Collection<UUID> ids) {
    List<Account> locked = new ArrayList<>(ids.size());
    Pipeline pipeline = new Pipeline(template);
    lockInIdOrder(ids, pipeline, locked::add);
    pipeline.run();
    return locked;
  }

  /**
   * {@link #lockInIdOrder(Collection)} as a step of {@code pipeline}: each account that exists is
   * handed to {@code locked} when the pipeline runs, in id order. The statements the caller adds
   * after it run after the locks are taken, in snapshots that see what the locks waited for.
   */
  public void lockInIdOrder(Collection<UUID> ids, Pipeline pipeline, Consumer<Account> locked) {
    if (ids.isEmpty()) {
      return;
    }
    String[] array = ids.stream().map(UUID::toString).distinct().toArray(String[]::new);
    // ledger_lock_accounts (V12) joins the unnested ids with the accounts by primary key, in id
    // order, for update: not "id = any(?)", which a plan that scans accounts compares with every id
    // (a batch of 8,189 events against 10,000 accounts was seconds of CPU in this one statement),
    // and not a scan of every account for a group of a few dozen.
    pipeline.query(
        "select " + COLUMNS + " from ledger_lock_accounts(?::uuid[])",
        rs -> locked.accept(account(rs, 0)),
        (Object) array);
  }

  /**
   * Writes the new totals of accounts locked by {@link #lockInIdOrder}: one update per account per
   * batch, sent as one statement over arrays. The caller has checked the limits; the database
   * checks them again, and its guard refuses posted totals that go down.
   */
  public void writeTotals(List<Totals> totals, Pipeline pipeline) {
    for (Totals t : totals) {
      for (BigInteger v :
          List.of(t.debitsPosted(), t.creditsPosted(), t.debitsPending(), t.creditsPending())) {
        if (v.signum() < 0 || v.compareTo(Money.MINOR_MAX) > 0) {
          throw new IllegalArgumentException("account total out of range: " + t);
        }
      }
    }
    int n = totals.size();
    if (n == 0) {
      return;
    }
    String[] ids = new String[n];
    String[][] values = new String[4][n];
    for (int i = 0; i < n; i++) {
      Totals t = totals.get(i);
      ids[i] = t.id().toString();
      values[0][i] = t.debitsPosted().toString();
      values[1][i] = t.creditsPosted().toString();
      values[2][i] = t.debitsPending().toString();
      values[3][i] = t.creditsPending().toString();
    }
    // One statement for all of the batch's accounts, each updated once, by primary key
    // (ledger_write_totals, V12).
    pipeline.query(
        "select ledger_write_totals(?::uuid[], ?::numeric[], ?::numeric[], ?::numeric[],"
            + " ?::numeric[])",
        rs -> {
          long updated = rs.getLong(1);
          if (updated != n) {
            throw new IllegalStateException(
                "account totals: " + updated + " of " + n + " accounts updated");
          }
        },
        ids,
        values[0],
        values[1],
        values[2],
        values[3]);
  }

  private static Account account(ResultSet rs, int row) throws SQLException {
    String code = rs.getString("asset");
    int scale = rs.getInt("asset_scale");
    Asset asset = Asset.find(code).filter(a -> a.scale() == scale).orElse(new Asset(code, scale));
    EnumSet<AccountFlag> flags = EnumSet.noneOf(AccountFlag.class);
    if (rs.getBoolean("debits_must_not_exceed_credits")) {
      flags.add(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS);
    }
    if (rs.getBoolean("credits_must_not_exceed_debits")) {
      flags.add(AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS);
    }
    return new Account(
        rs.getObject("id", UUID.class),
        asset,
        rs.getString("code"),
        rs.getString("owner_ref"),
        flags,
        rs.getBigDecimal("debits_posted").toBigIntegerExact(),
        rs.getBigDecimal("credits_posted").toBigIntegerExact(),
        rs.getBigDecimal("debits_pending").toBigIntegerExact(),
        rs.getBigDecimal("credits_pending").toBigIntegerExact(),
        rs.getTimestamp("created_at").toInstant());
  }
}
