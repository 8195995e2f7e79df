package io.tpwallet.migration.job;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Whether the runner has seen the legacy tables as they are now: the count, amount sum, status sum
 * and deleted count of the legacy transactions, and the count and balance sum of the wallets, read
 * on both sides. Once legacy writes stop (frozen, or traffic over) the two agree exactly when every
 * committed change has been applied; while legacy is written they differ by the lag.
 *
 * <p>A sum can hide two changes that cancel out, so a match is taken as caught up only together
 * with a quiet legacy side (see cutover). Rows deleted outright (the legacy app soft-deletes) keep
 * their last version on the runner's side and would keep the two apart: such a drain times out and
 * says so.
 */
@Component
class Drain {

  private final JdbcClient jdbc;

  Drain(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** The aggregate view of the legacy tables. */
  record Fingerprint(
      long transactions,
      BigDecimal amountSum,
      long statusSum,
      long deleted,
      long wallets,
      BigDecimal balanceSum) {

    boolean matches(Fingerprint other) {
      return transactions == other.transactions
          && amountSum.compareTo(other.amountSum) == 0
          && statusSum == other.statusSum
          && deleted == other.deleted
          && wallets == other.wallets
          && balanceSum.compareTo(other.balanceSum) == 0;
    }
  }

  Fingerprint legacy(MigrationJob job) throws SQLException {
    try (Connection c =
            DriverManager.getConnection(job.sourceUrl(), job.sourceUser(), job.sourcePassword());
        var st = c.createStatement()) {
      // One snapshot for both tables, so that a transaction committed in between is seen in both
      // or in neither.
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      long tx = 0;
      long status = 0;
      long deleted = 0;
      BigDecimal amounts = BigDecimal.ZERO;
      if (job.tables().contains(ChangeApplier.TRANSACTIONS)) {
        try (var rs =
            st.executeQuery(
                "select count(*), coalesce(sum(amount), 0), coalesce(sum(status_code), 0),"
                    + " coalesce(sum(case when deleted <> 0 then 1 else 0 end), 0) from transactions")) {
          rs.next();
          tx = rs.getLong(1);
          amounts = rs.getBigDecimal(2);
          status = rs.getLong(3);
          deleted = rs.getLong(4);
        }
      }
      long wallets = 0;
      BigDecimal balances = BigDecimal.ZERO;
      if (job.tables().contains(ChangeApplier.WALLETS)) {
        try (var rs = st.executeQuery("select count(*), coalesce(sum(balance), 0) from wallets")) {
          rs.next();
          wallets = rs.getLong(1);
          balances = rs.getBigDecimal(2);
        }
      }
      c.commit();
      return new Fingerprint(tx, amounts, status, deleted, wallets, balances);
    }
  }

  Fingerprint migrated(MigrationJob job) {
    Fingerprint tx =
        jdbc.sql(
                """
                select count(*), coalesce(sum(amount::numeric), 0), coalesce(sum(status_code), 0),
                  count(*) filter (where deleted) from legacy_tx where job_id = ?""")
            .param(job.id())
            .query(
                (rs, i) ->
                    new Fingerprint(
                        rs.getLong(1),
                        rs.getBigDecimal(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        0,
                        BigDecimal.ZERO))
            .single();
    return jdbc.sql(
            "select count(*), coalesce(sum(balance::numeric), 0) from legacy_wallet where job_id = ?")
        .param(job.id())
        .query(
            (rs, i) ->
                new Fingerprint(
                    tx.transactions(),
                    tx.amountSum(),
                    tx.statusSum(),
                    tx.deleted(),
                    rs.getLong(1),
                    rs.getBigDecimal(2)))
        .single();
  }

  /** Whether the runner's view equals the legacy tables now. */
  boolean caughtUp(MigrationJob job) throws SQLException {
    return job.snapshotCompleted() && legacy(job).matches(migrated(job));
  }
}
