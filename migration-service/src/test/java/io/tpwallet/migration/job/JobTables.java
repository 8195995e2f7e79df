package io.tpwallet.migration.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** What a job left in the runner's own tables, as the migration ITs check it. */
final class JobTables {

  private JobTables() {}

  /** The state of one legacy transaction in the job, or null if not seen yet. */
  static String txState(JdbcClient jdbc, UUID job, long txId) {
    return jdbc.sql("select state from legacy_tx where job_id = ? and tx_id = ?")
        .params(job, txId)
        .query(String.class)
        .optional()
        .orElse(null);
  }

  /** The job's ledger commands: idempotency key to transfer id. */
  static Map<String, UUID> commands(JdbcClient jdbc, UUID job) {
    Map<String, UUID> out = new HashMap<>();
    jdbc.sql("select idem_key, transfer_id from ledger_command where job_id = ?")
        .param(job)
        .query(
            rs -> {
              out.put(rs.getString(1), rs.getObject(2, UUID.class));
            });
    return out;
  }

  /** The refused rows, as {@code table:pk}. */
  static Set<String> failureKeys(JdbcClient jdbc, UUID job) {
    return new HashSet<>(
        jdbc.sql("select source_table || ':' || source_pk from migration_failure where job_id = ?")
            .param(job)
            .query(String.class)
            .list());
  }

  /**
   * A report with {@code ledger=true} says what a user checks before cutover: the ledger answered
   * every command and rejected none, every wallet's ledger balance equals legacy's, and nothing is
   * unexplained.
   */
  static void assertLedgerAgreesWithLegacy(JsonNode report) {
    JsonNode check = report.path("ledger");
    assertThat(check.path("settled").asBoolean()).as(check.toString()).isTrue();
    assertThat(check.path("differences").size()).as(check.toString()).isZero();
    assertThat(check.path("commandsRejected").asLong()).isZero();
    assertThat(check.path("accountsMatching").asLong())
        .isEqualTo(check.path("accountsRead").asLong())
        .isPositive();
    assertThat(report.path("mismatches").size()).as(report.toString()).isZero();
  }

  static void awaitTrue(BooleanSupplier condition, String what, Duration max)
      throws InterruptedException {
    Instant until = Instant.now().plus(max);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(until)) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(100);
    }
  }
}
