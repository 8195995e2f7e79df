package io.tpwallet.migration.legacy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Live legacy traffic at a bounded rate for a bounded time: deposits and transfers between existing
 * USD wallets, through {@link LegacyWriter}, from a seeded random source.
 */
public final class LegacyTraffic {

  public static final int TPS_MAX = 5_000;
  public static final int SECONDS_MAX = 3_600;

  private LegacyTraffic() {}

  /** Runs {@code tps} operations a second for {@code seconds}; returns how many ran. */
  public static long run(
      Connection connection, LegacyWriter writer, int tps, int seconds, long seed)
      throws SQLException, InterruptedException {
    if (tps < 1 || tps > TPS_MAX || seconds < 1 || seconds > SECONDS_MAX) {
      throw new IllegalArgumentException(
          "tps must be 1.." + TPS_MAX + " and seconds 1.." + SECONDS_MAX);
    }
    List<Long> wallets = new ArrayList<>();
    try (var st = connection.createStatement();
        var rs =
            st.executeQuery(
                "select id from wallets where deleted = 0 and upper(currency) = 'USD' order by id")) {
      while (rs.next()) {
        wallets.add(rs.getLong(1));
      }
    }
    if (wallets.size() < 2) {
      throw new IllegalStateException("traffic needs at least two live USD wallets");
    }
    Random random = new Random(seed);
    long total = (long) tps * seconds;
    long start = System.nanoTime();
    for (long i = 0; i < total; i++) {
      long dueNanos = start + i * 1_000_000_000L / tps;
      long wait = dueNanos - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      long from = wallets.get(random.nextInt(wallets.size()));
      BigDecimal amount = BigDecimal.valueOf(1 + random.nextInt(5_000), 2);
      if (random.nextInt(3) == 0) {
        writer.deposit(from, amount);
      } else {
        long to = wallets.get(random.nextInt(wallets.size()));
        if (to == from) {
          writer.deposit(from, amount);
        } else {
          writer.transfer(from, to, amount);
        }
      }
    }
    return total;
  }
}
