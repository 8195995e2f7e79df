package io.tpwallet.migration.legacy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Fills an empty legacy database with users, wallets and a transaction history whose stored
 * balances agree with it, then injects the anomalies real legacy data has. The same plan and seed
 * always give the same rows, so a failing test can be replayed.
 */
public final class LegacySeeder {

  public static final int USERS_MAX = 1_000_000;
  public static final int TRANSACTIONS_MAX = 10_000_000;
  public static final int ANOMALIES_EACH_MAX = 1_000;

  private static final int BATCH_ROWS_MAX = 1_000;
  private static final LocalDateTime EPOCH = LocalDateTime.of(2024, 3, 1, 8, 0);

  /** How much to generate: users, transactions, the seed, and how many of each anomaly. */
  public record Plan(int users, int transactions, long seed, int anomaliesEach) {
    public Plan {
      if (users < 2 || users > USERS_MAX) {
        throw new IllegalArgumentException("users must be 2.." + USERS_MAX);
      }
      if (transactions < 0 || transactions > TRANSACTIONS_MAX) {
        throw new IllegalArgumentException("transactions must be 0.." + TRANSACTIONS_MAX);
      }
      if (anomaliesEach < 0 || anomaliesEach > ANOMALIES_EACH_MAX) {
        throw new IllegalArgumentException("anomaliesEach must be 0.." + ANOMALIES_EACH_MAX);
      }
    }
  }

  /**
   * What was written: row counts and, per anomaly, the rows that carry it as {@code table:pk}, so
   * that a test can look for each one in the migration report.
   */
  public record Seeded(
      int users, int wallets, int transactions, Map<Anomaly, List<String>> injected) {}

  private record Wallet(long id, long userId, String currency, boolean deleted) {}

  private final Connection connection;
  private final Random random;
  private final Plan plan;
  private final Map<Long, BigDecimal> balances = new HashMap<>();
  private final List<Wallet> wallets = new ArrayList<>();
  private final List<Object[]> transactions = new ArrayList<>();
  private final Map<Anomaly, List<String>> injected = new EnumMap<>(Anomaly.class);
  private long nextTxId = 1;
  private long seconds;

  private LegacySeeder(Connection connection, Plan plan) {
    this.connection = connection;
    this.plan = plan;
    this.random = new Random(plan.seed());
    for (Anomaly a : Anomaly.values()) {
      injected.put(a, new ArrayList<>());
    }
  }

  /** Seeds the (empty) legacy database {@code connection} points at, in one transaction. */
  public static Seeded seed(Connection connection, Plan plan) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      Seeded seeded = new LegacySeeder(connection, plan).run();
      connection.commit();
      return seeded;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private Seeded run() throws SQLException {
    try (var check = connection.createStatement();
        var rs =
            check.executeQuery(
                "select (select count(*) from users) + (select count(*) from wallets)")) {
      rs.next();
      if (rs.getLong(1) != 0) {
        throw new IllegalStateException("the legacy database is not empty; seed an empty one");
      }
    }
    insertUsersAndWallets();
    for (int i = 0; i < plan.transactions(); i++) {
      normalTransaction();
    }
    injectAnomalies();
    insertTransactions();
    insertWalletBalances();
    if (LegacySchema.isMariaDb(connection)) {
      // AUTO_INCREMENT moves past explicitly inserted ids by itself.
      return new Seeded(plan.users(), wallets.size(), transactions.size(), Map.copyOf(injected));
    }
    try (var st = connection.createStatement()) {
      st.execute("select setval('users_id_seq', (select max(id) from users))");
      st.execute("select setval('wallets_id_seq', (select max(id) from wallets))");
      st.execute(
          "select setval('transactions_id_seq', greatest(1, (select coalesce(max(id), 1) from transactions)))");
    }
    return new Seeded(plan.users(), wallets.size(), transactions.size(), Map.copyOf(injected));
  }

  private void insertUsersAndWallets() throws SQLException {
    long walletId = 1;
    try (var users =
        connection.prepareStatement(
            "insert into users (id, email, full_name, created_at, deleted_at) values (?, ?, ?, ?, ?)")) {
      for (long u = 1; u <= plan.users(); u++) {
        // A few users closed their account: soft-deleted, wallets emptied and flagged.
        boolean deleted = u > 2 && random.nextInt(33) == 0;
        LocalDateTime created = nextTime();
        users.setLong(1, u);
        users.setString(2, "user" + u + "@legacy.example");
        users.setString(3, "Legacy User " + u);
        users.setObject(4, created);
        users.setObject(5, deleted ? created.plusDays(30) : null);
        addBatch(users);
        wallets.add(new Wallet(walletId++, u, random.nextInt(5) == 0 ? "usd" : "USD", deleted));
        if (u % 5 == 0) {
          wallets.add(new Wallet(walletId++, u, random.nextBoolean() ? "btc" : "BTC", deleted));
        }
      }
      users.executeBatch();
    }
    for (Wallet w : wallets) {
      balances.put(w.id(), BigDecimal.ZERO);
    }
  }

  private void insertWalletBalances() throws SQLException {
    try (var insert =
        connection.prepareStatement(
            "insert into wallets (id, user_id, currency, balance, created_at, updated_at, deleted)"
                + " values (?, ?, ?, ?, ?, ?, ?)")) {
      for (Wallet w : wallets) {
        insert.setLong(1, w.id());
        insert.setLong(2, w.userId());
        insert.setString(3, w.currency());
        insert.setBigDecimal(4, balances.get(w.id()));
        insert.setObject(5, EPOCH);
        insert.setObject(6, EPOCH.plusSeconds(seconds));
        insert.setShort(7, (short) (w.deleted() ? 1 : 0));
        addBatch(insert);
      }
      insert.executeBatch();
    }
  }

  private void normalTransaction() {
    Wallet wallet = liveWallet();
    int pick = random.nextInt(10);
    String kind = pick < 3 ? "DEP" : pick < 5 ? "WDR" : "XFER";
    @Nullable Wallet counterparty = null;
    if (kind.equals("XFER")) {
      counterparty = liveWallet(wallet);
      if (counterparty == null) {
        kind = "DEP";
      }
    }
    BigDecimal amount = amount(wallet.currency());
    LegacyStatus status = status();
    if (status == LegacyStatus.SUCCESS && !kind.equals("DEP")) {
      if (balances.get(wallet.id()).compareTo(amount) < 0) {
        status = LegacyStatus.FAILED;
      }
    }
    if (status == LegacyStatus.SUCCESS) {
      apply(kind, wallet.id(), counterparty == null ? null : counterparty.id(), amount);
    }
    addTransaction(
        wallet.id(), counterparty == null ? null : counterparty.id(), kind, amount, status);
  }

  private void injectAnomalies() {
    for (int i = 0; i < plan.anomaliesEach(); i++) {
      // Bad scale: the legacy app took 1.005 USD and rounded the balance to the cent.
      Wallet w = liveUsdWallet();
      BigDecimal amount =
          BigDecimal.valueOf(100 + random.nextInt(10_000), 2).add(new BigDecimal("0.005"));
      balances.merge(w.id(), amount.setScale(2, RoundingMode.HALF_EVEN), BigDecimal::add);
      long id = addTransaction(w.id(), null, "DEP", amount, LegacyStatus.SUCCESS);
      injected.get(Anomaly.BAD_SCALE).add("transactions:" + id);

      // Duplicate: a second copy of a successful row, e.g. from a double import.
      Object[] original = successfulTransaction();
      if (original != null) {
        long copy = nextTxId++;
        Object[] row = original.clone();
        row[0] = copy;
        transactions.add(row);
        injected.get(Anomaly.DUPLICATE).add("transactions:" + copy);
      }

      // Orphan: a deposit into a wallet that does not exist (deleted by hand years ago).
      long missing = wallets.size() + 1_000L + i;
      long orphan = addTransaction(missing, null, "DEP", amount("USD"), LegacyStatus.SUCCESS);
      injected.get(Anomaly.ORPHAN).add("transactions:" + orphan);

      // Drift: the stored balance moved without a transaction (a manual fix, a lost update).
      Wallet drifted = liveUsdWallet();
      balances.merge(drifted.id(), BigDecimal.valueOf(1 + random.nextInt(999), 2), BigDecimal::add);
      String key = "wallets:" + drifted.id();
      if (!injected.get(Anomaly.BALANCE_DRIFT).contains(key)) {
        injected.get(Anomaly.BALANCE_DRIFT).add(key);
      }
    }
  }

  private void insertTransactions() throws SQLException {
    try (var insert =
        connection.prepareStatement(
            "insert into transactions (id, wallet_id, counterparty_wallet_id, kind, amount,"
                + " status_code, created_at, updated_at, deleted) values (?, ?, ?, ?, ?, ?, ?, ?, 0)")) {
      for (Object[] row : transactions) {
        for (int i = 0; i < row.length; i++) {
          insert.setObject(i + 1, row[i]);
        }
        addBatch(insert);
      }
      insert.executeBatch();
    }
  }

  private long addTransaction(
      long walletId,
      @Nullable Long counterparty,
      String kind,
      BigDecimal amount,
      LegacyStatus status) {
    long id = nextTxId++;
    LocalDateTime at = nextTime();
    transactions.add(
        new Object[] {id, walletId, counterparty, kind, amount, (short) status.code(), at, at});
    return id;
  }

  private Object @Nullable [] successfulTransaction() {
    for (int tries = 0; tries < 100 && !transactions.isEmpty(); tries++) {
      Object[] row = transactions.get(random.nextInt(transactions.size()));
      if (((Short) row[5]) == LegacyStatus.SUCCESS.code() && (Long) row[1] <= wallets.size()) {
        return row;
      }
    }
    return null;
  }

  private void apply(String kind, long wallet, @Nullable Long counterparty, BigDecimal amount) {
    switch (kind) {
      case "DEP" -> balances.merge(wallet, amount, BigDecimal::add);
      case "WDR" -> balances.merge(wallet, amount.negate(), BigDecimal::add);
      default -> {
        balances.merge(wallet, amount.negate(), BigDecimal::add);
        balances.merge(counterparty, amount, BigDecimal::add);
      }
    }
  }

  /** An amount of the currency written with a random number of trailing zeros, as the app did. */
  private BigDecimal amount(String currency) {
    boolean btc = currency.equalsIgnoreCase("BTC");
    int scale = btc ? 8 : 2;
    long minor = btc ? 1 + random.nextInt(5_000_000) : 1 + random.nextInt(50_000);
    BigDecimal exact = BigDecimal.valueOf(minor, scale);
    return switch (random.nextInt(3)) {
      case 0 -> exact.stripTrailingZeros();
      case 1 -> exact;
      default -> exact.setScale(scale + random.nextInt(4));
    };
  }

  private LegacyStatus status() {
    int p = random.nextInt(100);
    if (p < 85) {
      return LegacyStatus.SUCCESS;
    }
    if (p < 90) {
      return LegacyStatus.PENDING;
    }
    if (p < 95) {
      return LegacyStatus.FAILED;
    }
    return p < 98 ? LegacyStatus.CANCELLED : LegacyStatus.REVERSED;
  }

  private Wallet liveWallet() {
    while (true) {
      Wallet w = wallets.get(random.nextInt(wallets.size()));
      if (!w.deleted()) {
        return w;
      }
    }
  }

  private Wallet liveUsdWallet() {
    while (true) {
      Wallet w = liveWallet();
      if (w.currency().equalsIgnoreCase("USD")) {
        return w;
      }
    }
  }

  private @Nullable Wallet liveWallet(Wallet other) {
    for (int tries = 0; tries < 20; tries++) {
      Wallet w = liveWallet();
      if (w.id() != other.id() && w.currency().equalsIgnoreCase(other.currency())) {
        return w;
      }
    }
    return null;
  }

  private LocalDateTime nextTime() {
    seconds += 1 + random.nextInt(60);
    return EPOCH.plusSeconds(seconds);
  }

  private int batched;

  private void addBatch(PreparedStatement statement) throws SQLException {
    statement.addBatch();
    if (++batched % BATCH_ROWS_MAX == 0) {
      statement.executeBatch();
    }
  }
}
