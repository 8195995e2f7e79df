package io.tpwallet.migration.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.testkit.TestPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class LegacySeederIT {

  private static Connection legacy() throws Exception {
    var server = TestPostgres.server();
    Connection c =
        DriverManager.getConnection(
            TestPostgres.freshDatabase("legacy"), server.user(), server.password());
    LegacySchema.createPostgres(c);
    return c;
  }

  static long count(Connection c, String sql) throws Exception {
    try (var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void theSameSeedGivesTheSameLegacyWalletWithEveryAnomalyInjected() throws Exception {
    var plan = new LegacySeeder.Plan(40, 300, 7, 2);
    try (Connection a = legacy();
        Connection b = legacy()) {
      var seeded = LegacySeeder.seed(a, plan);
      LegacySeeder.seed(b, plan);
      for (Anomaly anomaly : Anomaly.values()) {
        assertThat(seeded.injected().get(anomaly)).as(anomaly.name()).isNotEmpty();
      }
      String fingerprint =
          "select md5(string_agg(id || ':' || wallet_id || ':' || amount || ':' || status_code,"
              + " ',' order by id)) from transactions";
      try (var sa = a.createStatement();
          var ra = sa.executeQuery(fingerprint);
          var sb = b.createStatement();
          var rb = sb.executeQuery(fingerprint)) {
        ra.next();
        rb.next();
        assertThat(ra.getString(1)).isEqualTo(rb.getString(1));
      }
      assertThat(count(a, "select count(*) from transactions")).isEqualTo(seeded.transactions());
      // Amounts are written with inconsistent scale, as the legacy app did.
      assertThat(count(a, "select count(distinct scale(amount)) from transactions"))
          .isGreaterThan(2);
      // Every live wallet's balance is non-negative.
      assertThat(count(a, "select count(*) from wallets where balance < 0")).isZero();
      assertThatThrownBy(() -> LegacySeeder.seed(a, plan))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void liveWritesMoveTheStoredBalanceWithTheirTransaction() throws Exception {
    try (Connection c = legacy()) {
      liveWritesMoveTheStoredBalance(c);
    }
  }

  /** Seeds four users into an empty legacy schema and checks the live writer on it. */
  static void liveWritesMoveTheStoredBalance(Connection c) throws Exception {
    {
      LegacySeeder.seed(c, new LegacySeeder.Plan(4, 0, 1, 0));
      var writer = new LegacyWriter(c, Clock.systemUTC(), ZoneId.of("Asia/Shanghai"));
      writer.deposit(1, new BigDecimal("10.00"));
      long refused = writer.transfer(1, 2, new BigDecimal("11"));
      writer.transfer(1, 2, new BigDecimal("4.5"));
      long pending = writer.pendingDeposit(2, new BigDecimal("1"));
      writer.confirm(pending);
      assertThat(count(c, "select status_code from transactions where id = " + pending))
          .isEqualTo(LegacyStatus.SUCCESS.code());
      assertThatThrownBy(() -> writer.confirm(pending)).isInstanceOf(IllegalStateException.class);
      assertThat(count(c, "select status_code from transactions where id = " + refused))
          .isEqualTo(LegacyStatus.FAILED.code());
      try (var st = c.createStatement();
          var rs = st.executeQuery("select balance from wallets where id in (1, 2) order by id")) {
        rs.next();
        assertThat(rs.getBigDecimal(1)).isEqualByComparingTo("5.5");
        rs.next();
        assertThat(rs.getBigDecimal(1)).isEqualByComparingTo("5.5");
      }
      assertThatThrownBy(() -> LegacyTraffic.run(c, writer, 0, 1, 1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(LegacyTraffic.run(c, writer, 50, 1, 3)).isEqualTo(50);
    }
  }

  @Test
  void trafficOnSeveralConnectionsWritesEveryOperationAndOnlyDepositsAddMoney() throws Exception {
    var server = TestPostgres.server();
    String url = TestPostgres.freshDatabase("legacy");
    LegacyTraffic.Connector connector =
        () -> DriverManager.getConnection(url, server.user(), server.password());
    try (Connection c = connector.open()) {
      LegacySchema.createPostgres(c);
      LegacySeeder.seed(c, new LegacySeeder.Plan(4, 0, 1, 0));
      String money =
          "select (select coalesce(sum(balance), 0) from wallets)"
              + " - (select coalesce(sum(amount), 0) from transactions"
              + " where kind = 'DEP' and status_code = 1)";
      BigDecimal before = decimal(c, money);
      long rows = count(c, "select count(*) from transactions");
      // 600 tx/s is more than one connection is given: three writers, transfers both ways
      // between the same wallets, none of them deadlocked.
      long done =
          LegacyTraffic.runParallel(
              connector, Clock.systemUTC(), ZoneId.of("Asia/Shanghai"), 600, 1, 11);
      assertThat(done).isEqualTo(600);
      assertThat(count(c, "select count(*) from transactions")).isEqualTo(rows + 600);
      assertThat(decimal(c, money)).isEqualByComparingTo(before);
      assertThat(count(c, "select count(*) from wallets where balance < 0")).isZero();
      assertThatThrownBy(
              () ->
                  LegacyTraffic.runParallel(
                      connector,
                      Clock.systemUTC(),
                      ZoneId.of("Asia/Shanghai"),
                      LegacyTraffic.TPS_MAX + 1,
                      1,
                      1))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static BigDecimal decimal(Connection c, String sql) throws Exception {
    try (var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }
}
