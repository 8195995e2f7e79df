package io.tpwallet.migration.legacy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * The legacy wallet from the command line ({@code ./tpw legacy ...}), run with the migration jar's
 * classpath: {@code seed} creates the legacy database and schema if missing and seeds it, printing
 * what it wrote (with the injected anomalies) as one line of JSON; {@code traffic} writes live
 * legacy traffic for a bounded time. Both are bounded by the limits of {@link LegacySeeder} and
 * {@link LegacyTraffic}.
 */
public final class LegacyCli {

  static final String USAGE =
      """
      usage: LegacyCli seed    [--url JDBC] [--user U] [--password P] --users N --tx M [--seed S] [--anomalies K] [--reset]
             LegacyCli traffic [--url JDBC] [--user U] [--password P] --tps R --seconds S [--seed S] [--zone ZONE]
      --url defaults to $TPW_LEGACY_URL, else jdbc:postgresql://127.0.0.1:5432/legacy_wallet;
      a MariaDB/MySQL legacy wallet: --url jdbc:mariadb://127.0.0.1:3306/legacy_wallet --user root""";

  private static final Pattern JDBC_PG =
      Pattern.compile("(jdbc:postgresql://[^/?]+)/([a-z_][a-z0-9_]{0,62})(\\?.*)?");
  private static final Pattern JDBC_MARIADB =
      Pattern.compile("(jdbc:(mariadb|mysql)://[^/?]+)/([a-z_][a-z0-9_]{0,63})(\\?.*)?");

  private LegacyCli() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println(USAGE);
      System.exit(2);
    }
    Map<String, String> options = options(args);
    String url =
        options.getOrDefault(
            "url",
            System.getenv()
                .getOrDefault("TPW_LEGACY_URL", "jdbc:postgresql://127.0.0.1:5432/legacy_wallet"));
    String user =
        options.getOrDefault(
            "user", System.getenv().getOrDefault(userVariable(url), defaultUser(url)));
    String password =
        options.getOrDefault(
            "password",
            System.getenv().getOrDefault(userVariable(url).replace("USER", "PASSWORD"), ""));
    long seed = Long.parseLong(options.getOrDefault("seed", "42"));
    try {
      switch (args[0]) {
        case "seed" -> seed(url, user, password, options, seed);
        case "traffic" -> traffic(url, user, password, options, seed);
        default -> {
          System.err.println(USAGE);
          System.exit(2);
        }
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("legacy " + args[0] + ": " + e.getMessage());
      System.exit(1);
    }
  }

  private static void seed(
      String url, String user, String password, Map<String, String> options, long seed)
      throws SQLException {
    createDatabaseIfMissing(url, user, password);
    var plan =
        new LegacySeeder.Plan(
            Integer.parseInt(required(options, "users")),
            Integer.parseInt(required(options, "tx")),
            seed,
            Integer.parseInt(options.getOrDefault("anomalies", "2")));
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      if (options.containsKey("reset")) {
        try (var st = c.createStatement()) {
          st.execute("drop table if exists transactions, wallets, users");
          if (!LegacySchema.isMariaDb(c)) {
            dropMigrationLeftovers(st);
          }
        }
      }
      LegacySchema.create(c);
      try (var st = c.createStatement();
          var rs =
              st.executeQuery(
                  "select (select count(*) from users) + (select count(*) from wallets)")) {
        rs.next();
        if (rs.getLong(1) > 0) {
          throw new IllegalStateException(
              url + " is already seeded; pass --reset to drop and re-create the legacy tables");
        }
      }
      long started = System.nanoTime();
      LegacySeeder.Seeded seeded = LegacySeeder.seed(c, plan);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("url", url);
      out.put("users", seeded.users());
      out.put("wallets", seeded.wallets());
      out.put("transactions", seeded.transactions());
      out.put("injected", seeded.injected());
      out.put("ms", (System.nanoTime() - started) / 1_000_000);
      System.out.println(JsonMapper.builder().build().writeValueAsString(out));
    }
  }

  private static void traffic(
      String url, String user, String password, Map<String, String> options, long seed)
      throws SQLException, InterruptedException {
    int tps = Integer.parseInt(required(options, "tps"));
    int seconds = Integer.parseInt(required(options, "seconds"));
    ZoneId zone = ZoneId.of(options.getOrDefault("zone", "Asia/Shanghai"));
    long started = System.nanoTime();
    long done =
        LegacyTraffic.runParallel(
            () -> DriverManager.getConnection(url, user, password),
            Clock.systemUTC(),
            zone,
            tps,
            seconds,
            seed);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("operations", done);
    out.put("ms", (System.nanoTime() - started) / 1_000_000);
    System.out.println(JsonMapper.builder().build().writeValueAsString(out));
  }

  /**
   * A reset legacy wallet is a new one: the replication slots and publications that earlier
   * migration jobs left on this database (named tpw_mig_*, not in use) would otherwise keep its WAL
   * for ever.
   */
  private static void dropMigrationLeftovers(java.sql.Statement st) throws SQLException {
    st.execute(
        """
        select pg_drop_replication_slot(slot_name) from pg_replication_slots
        where database = current_database() and slot_name like 'tpw\\_mig\\_%' and not active""");
    List<String> publications = new java.util.ArrayList<>();
    try (var rs =
        st.executeQuery("select pubname from pg_publication where pubname like 'tpw\\_mig\\_%'")) {
      while (rs.next()) {
        publications.add(rs.getString(1));
      }
    }
    for (String publication : publications) {
      st.execute("drop publication if exists " + publication);
    }
  }

  /** Creates the legacy database on its server if it does not exist yet. */
  static void createDatabaseIfMissing(String url, String user, String password)
      throws SQLException {
    Matcher maria = JDBC_MARIADB.matcher(url);
    if (maria.matches()) {
      String server = maria.group(1) + "/" + (maria.group(4) == null ? "" : maria.group(4));
      try (Connection c = DriverManager.getConnection(server, user, password);
          var st = c.createStatement()) {
        st.execute("create database if not exists " + maria.group(3));
      }
      return;
    }
    Matcher m = JDBC_PG.matcher(url);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a jdbc:postgresql:// or jdbc:mariadb:// (jdbc:mysql://) host:port/database URL: "
              + url);
    }
    String maintenance = m.group(1) + "/postgres" + (m.group(3) == null ? "" : m.group(3));
    try (Connection c = DriverManager.getConnection(maintenance, user, password);
        var exists = c.prepareStatement("select 1 from pg_database where datname = ?")) {
      exists.setString(1, m.group(2));
      if (!exists.executeQuery().next()) {
        try (var st = c.createStatement()) {
          st.execute("create database " + m.group(2));
        }
      }
    }
  }

  private static String userVariable(String url) {
    return JDBC_MARIADB.matcher(url).matches() ? "TPW_MARIADB_USER" : "TPW_PG_USER";
  }

  private static String defaultUser(String url) {
    return JDBC_MARIADB.matcher(url).matches() ? "root" : "postgres";
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i] + "\n" + USAGE);
      }
      String name = args[i].substring(2);
      if (name.equals("reset")) {
        out.put(name, "true");
      } else if (i + 1 < args.length) {
        out.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
    }
    return out;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + " is required\n" + USAGE);
    }
    return value;
  }
}
