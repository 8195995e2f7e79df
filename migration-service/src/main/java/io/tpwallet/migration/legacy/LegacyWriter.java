package io.tpwallet.migration.legacy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneId;

/**
 * Writes to the legacy wallet the way the legacy app does while users keep paying: each operation
 * inserts its transaction row and moves the stored balances in one database transaction, with the
 * local wall-clock time of the legacy zone.
 */
public final class LegacyWriter {

  private final Connection connection;
  private final Clock clock;
  private final ZoneId zone;

  public LegacyWriter(Connection connection, Clock clock, ZoneId zone) {
    this.connection = connection;
    this.clock = clock;
    this.zone = zone;
  }

  /** Money from outside into the wallet; returns the transaction id. */
  public long deposit(long walletId, BigDecimal amount) throws SQLException {
    return inTransaction(
        () -> {
          long id = insert(walletId, null, "DEP", amount, LegacyStatus.SUCCESS);
          move(walletId, amount);
          return id;
        });
  }

  /**
   * Money from one wallet to another; fails (status 2, no balance change) when the payer has too
   * little, as the legacy app did.
   */
  public long transfer(long from, long to, BigDecimal amount) throws SQLException {
    return inTransaction(
        () -> {
          // Both wallets locked, in id order: writers on several connections that move money
          // both ways between the same two wallets wait for each other instead of deadlocking.
          BigDecimal balance = BigDecimal.ZERO;
          try (var lock =
              connection.prepareStatement(
                  "select id, balance from wallets where id in (?, ?) order by id for update")) {
            lock.setLong(1, from);
            lock.setLong(2, to);
            try (var rs = lock.executeQuery()) {
              while (rs.next()) {
                if (rs.getLong(1) == from) {
                  balance = rs.getBigDecimal(2);
                }
              }
            }
          }
          if (balance.compareTo(amount) < 0) {
            return insert(from, to, "XFER", amount, LegacyStatus.FAILED);
          }
          long id = insert(from, to, "XFER", amount, LegacyStatus.SUCCESS);
          move(from, amount.negate());
          move(to, amount);
          return id;
        });
  }

  /** A deposit the payment provider has not confirmed yet: status 0, no balance change. */
  public long pendingDeposit(long walletId, BigDecimal amount) throws SQLException {
    return inTransaction(() -> insert(walletId, null, "DEP", amount, LegacyStatus.PENDING));
  }

  /** The provider confirmed a pending deposit: status 1 and the balance moves. */
  public void confirm(long transactionId) throws SQLException {
    inTransaction(
        () -> {
          long wallet;
          BigDecimal amount;
          // Read under a row lock, then update: MariaDB has no UPDATE ... RETURNING.
          try (var pending =
              connection.prepareStatement(
                  "select wallet_id, amount from transactions where id = ? and status_code = 0"
                      + " for update")) {
            pending.setLong(1, transactionId);
            try (var rs = pending.executeQuery()) {
              if (!rs.next()) {
                throw new IllegalStateException("no pending transaction " + transactionId);
              }
              wallet = rs.getLong(1);
              amount = rs.getBigDecimal(2);
            }
          }
          try (var update =
              connection.prepareStatement(
                  "update transactions set status_code = 1, updated_at = ? where id = ?")) {
            update.setObject(1, now());
            update.setLong(2, transactionId);
            update.executeUpdate();
          }
          move(wallet, amount);
          return transactionId;
        });
  }

  private long insert(
      long walletId,
      @org.jspecify.annotations.Nullable Long counterparty,
      String kind,
      BigDecimal amount,
      LegacyStatus status)
      throws SQLException {
    try (var insert =
        connection.prepareStatement(
            "insert into transactions (wallet_id, counterparty_wallet_id, kind, amount,"
                + " status_code, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)",
            new String[] {"id"})) {
      LocalDateTime now = now();
      insert.setLong(1, walletId);
      insert.setObject(2, counterparty);
      insert.setString(3, kind);
      insert.setBigDecimal(4, amount);
      insert.setShort(5, (short) status.code());
      insert.setObject(6, now);
      insert.setObject(7, now);
      insert.executeUpdate();
      try (var keys = insert.getGeneratedKeys()) {
        keys.next();
        return keys.getLong(1);
      }
    }
  }

  private void move(long walletId, BigDecimal delta) throws SQLException {
    try (var update =
        connection.prepareStatement(
            "update wallets set balance = balance + ?, updated_at = ? where id = ?")) {
      update.setBigDecimal(1, delta);
      update.setObject(2, now());
      update.setLong(3, walletId);
      update.executeUpdate();
    }
  }

  private LocalDateTime now() {
    return LocalDateTime.now(clock.withZone(zone));
  }

  private interface Work {
    long run() throws SQLException;
  }

  private long inTransaction(Work work) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      long result = work.run();
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }
}
