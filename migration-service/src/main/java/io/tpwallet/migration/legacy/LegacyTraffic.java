package io.tpwallet.migration.legacy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Live legacy traffic at a bounded rate for a bounded time: deposits and transfers between existing
 * USD wallets, through {@link LegacyWriter}, from a seeded random source, on one connection or on
 * several at once when one cannot carry the rate.
 */
public final class LegacyTraffic {

  public static final int TPS_MAX = 5_000;
  public static final int SECONDS_MAX = 3_600;

  private LegacyTraffic() {}

  /** The most connections {@link #runParallel} opens. */
  public static final int CONNECTIONS_MAX = 16;

  /**
   * What one connection is asked to carry: each operation is 2-4 statements and a commit, about 400
   * a second on one connection to the local PostgreSQL of the shared machine.
   */
  static final int TPS_PER_CONNECTION_MAX = 250;

  /** Opens a connection to the legacy database. */
  @FunctionalInterface
  public interface Connector {
    Connection open() throws SQLException;
  }

  /** Runs {@code tps} operations a second for {@code seconds}; returns how many ran. */
  public static long run(
      Connection connection, LegacyWriter writer, int tps, int seconds, long seed)
      throws SQLException, InterruptedException {
    check(tps, seconds);
    return loop(writer, wallets(connection), tps, seconds, new Random(seed));
  }

  /**
   * Runs {@code tps} operations a second for {@code seconds} over as many connections as the rate
   * needs (one per {@value #TPS_PER_CONNECTION_MAX} tx/s, at most {@value #CONNECTIONS_MAX}), each
   * its own thread with its share of the rate and its own seeded random source; returns how many
   * ran. The first failure stops the others and is thrown.
   */
  public static long runParallel(
      Connector connector, Clock clock, ZoneId zone, int tps, int seconds, long seed)
      throws SQLException, InterruptedException {
    check(tps, seconds);
    int n = Math.min(CONNECTIONS_MAX, (tps + TPS_PER_CONNECTION_MAX - 1) / TPS_PER_CONNECTION_MAX);
    List<Connection> connections = new ArrayList<>(n);
    ExecutorService workers = Executors.newFixedThreadPool(n);
    try {
      for (int k = 0; k < n; k++) {
        connections.add(connector.open());
      }
      List<Long> wallets = wallets(connections.get(0));
      List<Future<Long>> running = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        Connection c = connections.get(k);
        int share = tps / n + (k < tps % n ? 1 : 0);
        Random random = new Random(seed + k);
        running.add(
            workers.submit(
                () -> loop(new LegacyWriter(c, clock, zone), wallets, share, seconds, random)));
      }
      long total = 0;
      for (Future<Long> f : running) {
        try {
          total += f.get();
        } catch (ExecutionException e) {
          workers.shutdownNow();
          if (e.getCause() instanceof SQLException sql) {
            throw sql;
          }
          throw new IllegalStateException("a traffic worker failed", e.getCause());
        }
      }
      return total;
    } finally {
      workers.shutdownNow();
      workers.awaitTermination(10, TimeUnit.SECONDS);
      for (Connection c : connections) {
        c.close();
      }
    }
  }

  private static void check(int tps, int seconds) {
    if (tps < 1 || tps > TPS_MAX || seconds < 1 || seconds > SECONDS_MAX) {
      throw new IllegalArgumentException(
          "tps must be 1.." + TPS_MAX + " and seconds 1.." + SECONDS_MAX);
    }
  }

  private static List<Long> wallets(Connection connection) throws SQLException {
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
    return wallets;
  }

  private static long loop(
      LegacyWriter writer, List<Long> wallets, int tps, int seconds, Random random)
      throws SQLException, InterruptedException {
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
