package io.tpwallet.ledgerbench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the CPU went during a phase, from /proc: the ledger JVM, the PostgreSQL server (the
 * postmaster and all its children: backends, WAL writer, checkpointer), this driver, and the whole
 * machine. On two shared cores this is what bounds the figures, so each phase prints it.
 */
final class Cpu {

  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

  private final long ledgerPid;
  private final long postgresPid;

  Cpu(long ledgerPid, long postgresPid) {
    this.ledgerPid = ledgerPid;
    this.postgresPid = postgresPid;
  }

  /** CPU ticks (user + system) so far of each party, and of the machine as a whole. */
  record Sample(long ledger, long postgres, long driver, long machineBusy, long machineAll) {

    /** Each party's share of one core, in %, between {@code before} and now. */
    String since(Sample before, double seconds) {
      double ticks = seconds * TICKS_PER_SECOND;
      return String.format(
          Locale.ROOT,
          "cpu (%% of one core): ledger %.0f, postgres %.0f, driver %.0f; machine busy %.0f%% of"
              + " all cores",
          100 * (ledger - before.ledger) / ticks,
          100 * (postgres - before.postgres) / ticks,
          100 * (driver - before.driver) / ticks,
          100.0 * (machineBusy - before.machineBusy) / Math.max(1, machineAll - before.machineAll));
    }
  }

  Sample sample() {
    long driver =
        ManagementFactory.getRuntimeMXBean().getPid() > 0
            ? ticks(ManagementFactory.getRuntimeMXBean().getPid())
            : 0;
    long postgres = 0;
    if (postgresPid > 0) {
      postgres = ticks(postgresPid);
      try (var procs = Files.list(Path.of("/proc"))) {
        for (Path p : (Iterable<Path>) procs::iterator) {
          String name = p.getFileName().toString();
          if (name.chars().allMatch(Character::isDigit)
              && parent(Long.parseLong(name)) == postgresPid) {
            postgres += ticks(Long.parseLong(name));
          }
        }
      } catch (IOException e) {
        postgres = -1;
      }
    }
    long[] machine = machine();
    return new Sample(
        ledgerPid > 0 ? ticks(ledgerPid) : 0, postgres, driver, machine[0], machine[1]);
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Fields 14 and 15 of /proc/PID/stat: utime and stime, in ticks; 0 for a process gone. */
  private static long ticks(long pid) {
    String[] f = statFields(pid);
    return f == null ? 0 : Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long parent(long pid) {
    String[] f = statFields(pid);
    return f == null ? -1 : Long.parseLong(f[1]);
  }

  /** The fields of /proc/PID/stat after the command name (which may hold spaces): state first. */
  private static String[] statFields(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Busy and total ticks of all cores, from the first line of /proc/stat. */
  private static long[] machine() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long all = 0;
      for (int i = 1; i < f.length; i++) {
        all += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {all - idle, all};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 1};
    }
  }
}
