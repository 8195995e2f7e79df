package io.tpwallet.migration.legacy;

import static io.tpwallet.migration.legacy.LegacySeederIT.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneId;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The legacy wallet's schema, seeder, live writer and cutover freeze on the machine's MariaDB. */
class MariaDbLegacyIT {

  @Test
  void theSeederWritesTheSameAnomaliesIntoMariaDb() throws Exception {
    try (TestMariaDb db = TestMariaDb.fresh();
        Connection c = db.connect()) {
      LegacySchema.create(c);
      LegacySchema.create(c); // safe to run again
      var seeded = LegacySeeder.seed(c, new LegacySeeder.Plan(40, 300, 7, 2));
      for (Anomaly anomaly : Anomaly.values()) {
        assertThat(seeded.injected().get(anomaly)).as(anomaly.name()).isNotEmpty();
      }
      assertThat(count(c, "select count(*) from transactions")).isEqualTo(seeded.transactions());
      assertThat(count(c, "select count(*) from wallets")).isEqualTo(seeded.wallets());
      assertThat(count(c, "select count(*) from wallets where balance < 0")).isZero();
      // More decimals than the asset has survive the DECIMAL column: nothing was rounded.
      assertThat(
              count(
                  c, "select count(*) from transactions where amount * 100 <> floor(amount * 100)"))
          .isPositive();
      assertThatThrownBy(() -> LegacySeeder.seed(c, new LegacySeeder.Plan(40, 300, 7, 2)))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void liveWritesOnMariaDbMoveTheStoredBalanceWithTheirTransaction() throws Exception {
    try (TestMariaDb db = TestMariaDb.fresh();
        Connection c = db.connect()) {
      LegacySchema.create(c);
      LegacySeederIT.liveWritesMoveTheStoredBalance(c);
    }
  }

  @Test
  void frozenLegacyRejectsWritesWithSqlState45000AndChangesNothing() throws Exception {
    try (TestMariaDb db = TestMariaDb.fresh();
        Connection c = db.connect()) {
      LegacySchema.create(c);
      LegacySeeder.seed(c, new LegacySeeder.Plan(4, 20, 1, 0));
      var writer = new LegacyWriter(c, Clock.systemUTC(), ZoneId.of("Asia/Shanghai"));
      long before = count(c, "select count(*) from transactions");
      MariaDbFreeze.freeze(c, "tpw_freeze", LegacySchema.TABLES, UUID.randomUUID());
      MariaDbFreeze.freeze(c, "tpw_freeze", LegacySchema.TABLES, UUID.randomUUID()); // again

      assertThatThrownBy(() -> writer.deposit(1, new BigDecimal("1")))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("45000"))
          .hasMessageContaining("frozen");
      for (String write :
          new String[] {
            "update wallets set balance = balance + 1 where id = 1",
            "delete from users where id = 1",
            "insert into users (email, created_at) values ('x@y', now())"
          }) {
        try (var st = c.createStatement()) {
          assertThatThrownBy(() -> st.executeUpdate(write))
              .as(write)
              .isInstanceOfSatisfying(
                  SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("45000"));
        }
      }
      assertThat(count(c, "select count(*) from transactions")).isEqualTo(before);

      MariaDbFreeze.unfreeze(c, "tpw_freeze", LegacySchema.TABLES);
      MariaDbFreeze.unfreeze(c, "tpw_freeze", LegacySchema.TABLES); // again
      writer.deposit(1, new BigDecimal("1"));
      assertThat(count(c, "select count(*) from transactions")).isEqualTo(before + 1);
    }
  }
}
