package io.tpwallet.ledgerbench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference a PostgreSQL user knows: {@code pgbench -b tpcb-like} (5 statements, 3 updates of
 * which one on a hot "branches" row at scale 1) on the ledger's own PostgreSQL, with the same
 * client count, in a scratch database created for it and dropped afterwards.
 */
final class PgBench {

  private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+)");
  private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");
  private static final String DATABASE = "tpw_bench_pgbench";

  record Run(double tps, double latencyAverageMs) {}

  private final String host;
  private final String port;
  private final String user;
  private final int clients;
  private final int seconds;
  private final List<Integer> scales = new ArrayList<>();

  PgBench(Map<String, String> options, int clients) {
    this.host = options.getOrDefault("pg-host", "127.0.0.1");
    this.port = options.getOrDefault("pg-port", "5432");
    this.user = options.getOrDefault("pg-user", "postgres");
    this.clients = clients;
    this.seconds = Integer.parseInt(options.getOrDefault("pgbench-seconds", "20"));
    for (String s : options.getOrDefault("pgbench-scales", "1,100").split(",")) {
      if (!s.isBlank()) {
        scales.add(Integer.parseInt(s.trim()));
      }
    }
  }

  /** One run per scale, each on a freshly initialised scratch database. */
  Map<Integer, Run> runAll() throws IOException, InterruptedException {
    Map<Integer, Run> runs = new LinkedHashMap<>();
    for (int scale : scales) {
      try {
        exec(
            List.of(
                "psql",
                "-h",
                host,
                "-p",
                port,
                "-U",
                user,
                "-d",
                "postgres",
                "-qc",
                "drop database if exists " + DATABASE),
            60);
        exec(
            List.of(
                "psql",
                "-h",
                host,
                "-p",
                port,
                "-U",
                user,
                "-d",
                "postgres",
                "-qc",
                "create database " + DATABASE),
            60);
        long t0 = System.nanoTime();
        // Server-side data generation (G): scale 100 is 10 million rows.
        exec(
            List.of(
                "pgbench",
                "-h",
                host,
                "-p",
                port,
                "-U",
                user,
                "-i",
                "-q",
                "-I",
                "dtGvp",
                "-s",
                Integer.toString(scale),
                DATABASE),
            900);
        System.out.printf(
            "pgbench scale %d initialised in %.0f s; load %s%n",
            scale, (System.nanoTime() - t0) / 1e9, Cpu.loadAverage());
        String out =
            exec(
                List.of(
                    "pgbench",
                    "-h",
                    host,
                    "-p",
                    port,
                    "-U",
                    user,
                    "-b",
                    "tpcb-like",
                    "-c",
                    Integer.toString(clients),
                    "-j",
                    "2",
                    "-T",
                    Integer.toString(seconds),
                    DATABASE),
                seconds + 300);
        Run run = new Run(number(TPS, out), number(LATENCY, out));
        System.out.printf(
            "pgbench tpcb-like scale %d: %.0f tps, latency avg %.2f ms; load %s%n",
            scale, run.tps(), run.latencyAverageMs(), Cpu.loadAverage());
        runs.put(scale, run);
      } finally {
        exec(
            List.of(
                "psql",
                "-h",
                host,
                "-p",
                port,
                "-U",
                user,
                "-d",
                "postgres",
                "-qc",
                "drop database if exists " + DATABASE),
            120);
      }
    }
    return runs;
  }

  private void psql(String sql) throws IOException, InterruptedException {
    exec(List.of("psql", "-h", host, "-p", port, "-U", user, "-d", "postgres", "-qc", sql), 120);
  }

  static double number(Pattern pattern, String output) {
    Matcher m = pattern.matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("pgbench printed no " + pattern + ":\n" + output);
    }
    return Double.parseDouble(m.group(1));
  }

  private static String exec(List<String> command, long timeoutSeconds)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          String.join(" ", command) + " took over " + timeoutSeconds + " s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + text);
    }
    return text;
  }
}
