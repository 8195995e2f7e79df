package io.tpwallet.localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Where a 2-core machine's CPU went over a benchmark run, from Linux's /proc: the machine's shares
 * by kind (user, system, softirq, irq, iowait, steal, from the first line of /proc/stat), its
 * context switches per second, the CPU of each named process, of all PostgreSQL processes together
 * (backends come and go; every process whose command is {@code postgres}), and of the other
 * processes by command, so that a busy machine whose named processes use less than its cores can be
 * attributed instead of guessed at. Off Linux every figure is empty.
 *
 * <p>A process's CPU is its utime + stime (/proc/PID/stat), which excludes the irq and softirq time
 * the kernel accounts apart; a process that ended during the run is missing from both snapshots and
 * shows in the "not in any process" remainder, which is the machine's busy time less every process
 * seen and less irq and softirq.
 */
final class MachineCpu {

  static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux
  static final int OTHERS_SHOWN_MAX = 6;
  static final double OTHERS_SHOWN_CORES_MIN = 0.01;
  static final String POSTGRES = "postgres";

  /** The first line of /proc/stat: cpu user nice system idle iowait irq softirq steal ... */
  record Machine(long[] fields, long contextSwitches, long forks) {

    long total() {
      long total = 0;
      // guest and guest_nice (fields 8 and 9) are already counted in user and nice
      for (int i = 0; i < Math.min(8, fields.length); i++) {
        total += fields[i];
      }
      return total;
    }

    long field(int index) {
      return index < fields.length ? fields[index] : 0;
    }
  }

  /**
   * One process: its command, utime + stime in ticks, and cutime + cstime: the CPU of its children
   * that ended and that it waited for, which is how a short-lived process's CPU can still be seen.
   */
  record Process(String command, long ticks, long reapedTicks, String database) {

    Process(String command, long ticks, long reapedTicks) {
      this(command, ticks, reapedTicks, "");
    }
  }

  /** A machine line and every process of one moment. */
  record Snapshot(Machine machine, Map<Integer, Process> processes) {}

  private MachineCpu() {}

  static Snapshot snapshot() {
    return new Snapshot(machine(), processes());
  }

  static Machine machine() {
    try {
      return parseMachine(Files.readAllLines(Path.of("/proc/stat")));
    } catch (IOException | RuntimeException e) {
      return new Machine(new long[0], 0, 0);
    }
  }

  static Machine parseMachine(List<String> procStat) {
    String[] f = procStat.get(0).trim().split("\\s+");
    long[] fields = new long[f.length - 1];
    for (int i = 1; i < f.length; i++) {
      fields[i - 1] = Long.parseLong(f[i]);
    }
    long contextSwitches = 0;
    long forks = 0;
    for (String line : procStat) {
      if (line.startsWith("ctxt ")) {
        contextSwitches = Long.parseLong(line.substring(5).trim());
      } else if (line.startsWith("processes ")) {
        forks = Long.parseLong(line.substring(10).trim());
      }
    }
    return new Machine(fields, contextSwitches, forks);
  }

  static Map<Integer, Process> processes() {
    Map<Integer, Process> out = new HashMap<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      entries.forEach(
          dir -> {
            String name = dir.getFileName().toString();
            if (!name.chars().allMatch(Character::isDigit)) {
              return;
            }
            try {
              Process process = parseProcess(Files.readString(dir.resolve("stat")));
              if (process.command().equals(POSTGRES)) {
                String cmdline = Files.readString(dir.resolve("cmdline")).replace('\0', ' ');
                process =
                    new Process(
                        process.command(),
                        process.ticks(),
                        process.reapedTicks(),
                        postgresRole(cmdline));
              }
              out.put(Integer.parseInt(name), process);
            } catch (IOException | RuntimeException e) {
              // the process ended while the directory was read: left out
            }
          });
    } catch (IOException | RuntimeException e) {
      // not Linux: no processes
    }
    return out;
  }

  /** /proc/PID/stat: pid (comm) state ppid ... utime (14th) stime (15th) ... */
  static Process parseProcess(String stat) {
    int open = stat.indexOf('(');
    int close = stat.lastIndexOf(')');
    String[] f = stat.substring(close + 2).split(" ");
    return new Process(
        stat.substring(open + 1, close),
        Long.parseLong(f[11]) + Long.parseLong(f[12]),
        Long.parseLong(f[13]) + Long.parseLong(f[14]));
  }

  /**
   * What a PostgreSQL process does, from the title it sets ({@code postgres: 15/main: user database
   * host state}): a backend's database, or the auxiliary process's name (walwriter, checkpointer,
   * autovacuum worker, ...); the postmaster's own command line is "postmaster".
   */
  static String postgresRole(String cmdline) {
    String title = cmdline.strip();
    if (!title.startsWith("postgres: ")) {
      return "postmaster";
    }
    String[] words = title.substring("postgres: ".length()).split(" ");
    // "15/main: postgres tpw_signing 127.0.0.1(5432) idle": the cluster, the user, the database.
    int at = words.length > 0 && words[0].endsWith(":") ? 1 : 0;
    if (words.length >= at + 3 && words[at + 2].contains("(")) {
      return words[at + 1];
    }
    return String.join(
        " ", java.util.Arrays.copyOfRange(words, at, Math.min(words.length, at + 2)));
  }

  /** Ticks a process used between the snapshots; one that started during the run counts from 0. */
  private static long used(Snapshot before, int pid, Process now) {
    Process was = before.processes().get(pid);
    return same(was, now) ? now.ticks() - was.ticks() : now.ticks();
  }

  /** Ticks of the process's children that ended during the run (it waited for them). */
  private static long reaped(Snapshot before, int pid, Process now) {
    Process was = before.processes().get(pid);
    return same(was, now) ? now.reapedTicks() - was.reapedTicks() : now.reapedTicks();
  }

  private static boolean same(@Nullable Process was, @Nullable Process now) {
    return was != null && now != null && was.command().equals(now.command());
  }

  /**
   * The attribution line: machine shares, context switches/s, the named processes (name to pid),
   * PostgreSQL, the busiest other commands and what no process accounts for, all over {@code
   * seconds} of wall time, processes in cores.
   */
  static String describe(
      Snapshot before, Snapshot after, Map<String, Integer> named, double seconds) {
    StringBuilder out = new StringBuilder("CPU over the run:");
    Machine m0 = before.machine();
    Machine m1 = after.machine();
    long total = m1.total() - m0.total();
    if (total <= 0 || seconds <= 0) {
      return out.append(" n/a (no /proc/stat)").toString();
    }
    long[] delta = new long[8];
    for (int i = 0; i < delta.length; i++) {
      delta[i] = m1.field(i) - m0.field(i);
    }
    long idle = delta[3] + delta[4];
    double cores = total / TICKS_PER_SECOND / seconds;
    out.append(
        String.format(
            " machine %.0f%% busy of %.2f cores: user %.1f%%, nice %.1f%%, system %.1f%%,"
                + " irq %.1f%%, softirq %.1f%%, steal %.1f%%, iowait %.1f%%; %,.0f context"
                + " switches/s, %,.0f processes started/s;",
            100.0 * (total - idle) / total,
            cores,
            100.0 * delta[0] / total,
            100.0 * delta[1] / total,
            100.0 * delta[2] / total,
            100.0 * delta[5] / total,
            100.0 * delta[6] / total,
            100.0 * delta[7] / total,
            100.0 * delta[4] / total,
            (m1.contextSwitches() - m0.contextSwitches()) / seconds,
            (m1.forks() - m0.forks()) / seconds));
    Map<Integer, String> byPid = new HashMap<>();
    named.forEach((name, pid) -> byPid.put(pid, name));
    Map<String, Long> namedTicks = new LinkedHashMap<>();
    named.keySet().forEach(name -> namedTicks.put(name, 0L));
    long postgres = 0;
    int postgresProcesses = 0;
    Map<String, Long> postgresByRole = new HashMap<>();
    Map<String, Long> others = new HashMap<>();
    Map<String, Long> reapedBy = new HashMap<>();
    long seen = 0;
    for (Map.Entry<Integer, Process> e : after.processes().entrySet()) {
      long ticks = used(before, e.getKey(), e.getValue());
      long reaped = reaped(before, e.getKey(), e.getValue());
      seen += ticks + reaped;
      if (reaped > 0) {
        reapedBy.merge(e.getValue().command(), reaped, Long::sum);
      }
      String name = byPid.get(e.getKey());
      if (name != null) {
        namedTicks.put(name, ticks);
      } else if (e.getValue().command().equals(POSTGRES)) {
        postgres += ticks;
        postgresProcesses++;
        postgresByRole.merge(e.getValue().database(), ticks, Long::sum);
      } else {
        others.merge(e.getValue().command(), ticks, Long::sum);
      }
    }
    double perCore = TICKS_PER_SECOND * seconds;
    namedTicks.forEach(
        (name, ticks) -> out.append(String.format(" %s %.2f", name, ticks / perCore)));
    out.append(
        String.format("; postgres (%d processes) %.2f", postgresProcesses, postgres / perCore));
    out.append(", by database or role:").append(busiest(postgresByRole, perCore));
    out.append("; others:").append(busiest(others, perCore));
    // A child's whole life is added to its parent's cutime when it ends: what it used before the
    // run (it was in the first snapshot) is taken off again.
    long endedBefore = 0;
    for (Map.Entry<Integer, Process> e : before.processes().entrySet()) {
      if (!same(e.getValue(), after.processes().get(e.getKey()))) {
        endedBefore += e.getValue().ticks() + e.getValue().reapedTicks();
      }
    }
    long endedInRun = reapedBy.values().stream().mapToLong(Long::longValue).sum() - endedBefore;
    seen -= endedBefore;
    out.append(
        String.format(
            "; processes that ended during the run %.2f (waited for by: %s)",
            endedInRun / perCore, String.join(", ", new java.util.TreeSet<>(reapedBy.keySet()))));
    long busy = total - idle;
    long notInProcess = busy - seen - delta[5] - delta[6];
    out.append(
        String.format(
            "; busy in no process seen (ended and not waited for, or not accounted to one) %.2f"
                + " (cores)",
            notInProcess / perCore));
    return out.toString();
  }

  /** The commands that used the most, at most {@link #OTHERS_SHOWN_MAX}, in cores. */
  private static String busiest(Map<String, Long> ticksByCommand, double perCore) {
    List<Map.Entry<String, Long>> busiest = new ArrayList<>(ticksByCommand.entrySet());
    busiest.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
    StringBuilder shown = new StringBuilder();
    for (Map.Entry<String, Long> e :
        busiest.subList(0, Math.min(OTHERS_SHOWN_MAX, busiest.size()))) {
      if (e.getValue() / perCore >= OTHERS_SHOWN_CORES_MIN) {
        shown.append(String.format(" %s %.2f", e.getKey(), e.getValue() / perCore));
      }
    }
    return shown.isEmpty() ? " none" : shown.toString();
  }
}
