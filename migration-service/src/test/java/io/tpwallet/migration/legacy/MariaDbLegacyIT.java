package io.tpwallet.migration.legacy;

import static io.tpwallet.migration.legacy.LegacySeederIT.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import org.junit.jupiter.api.Test;

/** The legacy wallet's schema, seeder and live writer on the machine's MariaDB. */
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
}
