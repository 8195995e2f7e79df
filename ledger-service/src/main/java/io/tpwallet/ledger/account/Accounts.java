package io.tpwallet.ledger.account;

import io.tpwallet.common.money.Asset;
import io.tpwallet.common.money.Money;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
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
      credits_must_not_exceed_debits, debits_posted, credits_posted, created_at""";

  private final JdbcClient jdbc;

  public Accounts(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

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
            && stored.flags().equals(flags);
    return new Opening(same ? Opened.EXISTS : Opened.EXISTS_WITH_DIFFERENT_FIELDS, stored);
  }

  public Optional<Account> find(UUID id) {
    return jdbc.sql("select " + COLUMNS + " from ledger_account where id = ?")
        .param(id)
        .query(Accounts::account)
        .optional();
  }

  /**
   * Locks the accounts of a posting, always in id order (PostgreSQL's uuid order, the same for
   * every transaction), so that two postings between the same accounts in opposite directions wait
   * for each other instead of deadlocking. Returns those that exist.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public List<Account> lockInIdOrder(UUID first, UUID second) {
    return jdbc.sql(
            "select " + COLUMNS + " from ledger_account where id in (?, ?) order by id for update")
        .params(first, second)
        .query(Accounts::account)
        .list();
  }

  /**
   * Adds a posted amount to the debit and credit totals of two accounts locked by {@link
   * #lockInIdOrder}. The caller has checked their limits; the database checks them again.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public void addPosted(UUID debitAccountId, UUID creditAccountId, BigInteger amount) {
    if (amount.signum() <= 0 || amount.compareTo(Money.MINOR_MAX) > 0) {
      throw new IllegalArgumentException("posted amount out of range: " + amount);
    }
    BigDecimal value = new BigDecimal(amount);
    requireOneRow(
        jdbc.sql("update ledger_account set debits_posted = debits_posted + ? where id = ?")
            .params(value, debitAccountId)
            .update(),
        debitAccountId);
    requireOneRow(
        jdbc.sql("update ledger_account set credits_posted = credits_posted + ? where id = ?")
            .params(value, creditAccountId)
            .update(),
        creditAccountId);
  }

  private static void requireOneRow(int rows, UUID id) {
    if (rows != 1) {
      throw new IllegalStateException("account " + id + " was not updated (" + rows + " rows)");
    }
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
        rs.getTimestamp("created_at").toInstant());
  }
}
