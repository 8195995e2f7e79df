package io.tpwallet.migration.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.migration.legacy.TestMariaDb;
import java.sql.Connection;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The binlog check against the machine's MariaDB (prepare-machine.sh turned its binlog on). */
class BinlogCheckIT {

  @Test
  void aStoredBinlogFileThatIsGoneStopsTheJob() throws Exception {
    try (TestMariaDb db = TestMariaDb.fresh();
        Connection c = db.connect()) {
      String current;
      try (var st = c.createStatement();
          var rs = st.executeQuery("show binary logs")) {
        assertThat(rs.next()).as("the binlog is on").isTrue();
        current = rs.getString(1);
      }
      assertThatCode(() -> BinlogCheck.verify(c, Optional.empty())).doesNotThrowAnyException();
      assertThatCode(() -> BinlogCheck.verify(c, Optional.of(current))).doesNotThrowAnyException();
      assertThatThrownBy(() -> BinlogCheck.verify(c, Optional.of("mysql-bin.999999")))
          .isInstanceOf(SlotCheck.SlotLost.class)
          .hasMessageContaining("mysql-bin.999999");
      assertThat(
              BinlogCheck.fileOf(
                  "{\"file\":\"" + current + "\",\"pos\":4,\"gtids\":\"0-1-12\",\"row\":1}"))
          .contains(current);
      assertThat(BinlogCheck.fileOf("{\"lsn\":123}")).isEmpty();
    }
  }
}
