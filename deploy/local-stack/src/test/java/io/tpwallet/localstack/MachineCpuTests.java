package io.tpwallet.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MachineCpuTests {

  private static MachineCpu.Snapshot at(
      String cpuLine, long ctxt, Map<Integer, MachineCpu.Process> p) {
    return new MachineCpu.Snapshot(
        MachineCpu.parseMachine(
            List.of(cpuLine, "cpu0 1 2 3", "ctxt " + ctxt, "processes " + ctxt / 100)),
        p);
  }

  @Test
  void aProcessStatLineGivesItsCommandAndUserPlusSystemTicks() {
    MachineCpu.Process p =
        MachineCpu.parseProcess(
            "4242 (postgres: tpw) S 1 4242 4242 0 -1 4194560 900 0 0 0 70 30 5 2 20 0 1 0 55 0 0");
    assertThat(p.command()).isEqualTo("postgres: tpw");
    assertThat(p.ticks()).isEqualTo(100);
    assertThat(p.reapedTicks()).isEqualTo(7);
  }

  @Test
  void aPostgresProcessIsNamedByItsDatabaseOrItsRole() {
    assertThat(
            MachineCpu.postgresRole(
                "postgres: 15/main: postgres tpw_signer_1 127.0.0.1(51234) idle\0\0"))
        .isEqualTo("tpw_signer_1");
    assertThat(MachineCpu.postgresRole("postgres: 15/main: walwriter ")).isEqualTo("walwriter");
    assertThat(MachineCpu.postgresRole("postgres: 15/main: autovacuum worker "))
        .isEqualTo("autovacuum worker");
    assertThat(MachineCpu.postgresRole("/usr/lib/postgresql/15/bin/postgres -D /var/lib/x"))
        .isEqualTo("postmaster");
  }

  @Test
  void everyTickOfABusyMachineIsAttributedToAKindAProcessOrTheRemainder() {
    // 10 s on 2 cores = 2,000 ticks: 1,200 user, 300 system, 100 softirq, 400 idle.
    MachineCpu.Snapshot before =
        at(
            "cpu  1000 0 500 5000 0 0 200 0 0 0",
            10_000,
            Map.of(
                1, new MachineCpu.Process("java", 100, 0),
                2, new MachineCpu.Process("postgres", 10, 0, "tpw_signing"),
                3, new MachineCpu.Process("postgres", 10, 0, "walwriter")));
    MachineCpu.Snapshot after =
        at(
            "cpu  2200 0 800 5400 0 0 300 0 0 0",
            60_000,
            Map.of(
                1, new MachineCpu.Process("java", 900, 0),
                2, new MachineCpu.Process("postgres", 210, 0, "tpw_signing"),
                3, new MachineCpu.Process("postgres", 110, 0, "walwriter"),
                4, new MachineCpu.Process("javac", 200, 0),
                5, new MachineCpu.Process("bash", 0, 50)));
    String line = MachineCpu.describe(before, after, Map.of("coordinator", 1), 10.0);
    assertThat(line)
        .contains("machine 80% busy of 2.00 cores")
        .contains("user 60.0%")
        .contains("system 15.0%")
        .contains("softirq 5.0%")
        .contains("5,000 context switches/s")
        .contains("coordinator 0.80")
        .contains(
            "postgres (2 processes) 0.30, by database or role: tpw_signing 0.20 walwriter 0.10")
        .contains("50 processes started/s")
        .contains("others: javac 0.20")
        // mvn (30 ticks before the run) ended and bash waited for it: 80 - 30 within the run
        .contains("processes that ended during the run 0.05 (waited for by: bash)")
        // busy 1,600 - processes 1,300 - ended 50 - softirq 100 = 150 ticks = 0.15 cores
        .contains(
            "busy in no process seen (ended and not waited for, or not accounted to one) 0.15");
  }
}
