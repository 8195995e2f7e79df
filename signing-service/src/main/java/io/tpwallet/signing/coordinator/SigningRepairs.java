package io.tpwallet.signing.coordinator;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The coordinator's record of share repairs: one row per repair the nodes agreed to run. */
@Repository
@Profile("!signer")
class SigningRepairs {

  /** A repair as recorded: RUNNING, then DONE or FAILED (with why). */
  record RepairRecord(
      String repairId,
      String keyId,
      int participant,
      List<Integer> helpers,
      String state,
      @Nullable String detail,
      Instant startedAt,
      @Nullable Instant finishedAt) {}

  private final JdbcClient jdbc;

  SigningRepairs(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void started(String repairId, String keyId, int participant, List<Integer> helpers, Instant at) {
    jdbc.sql(
            "insert into signing_repair (repair_id, key_id, participant, helpers, state,"
                + " started_at) values (?, ?, ?, ?, 'RUNNING', ?)")
        .params(repairId, keyId, participant, helpers.toString(), Timestamp.from(at))
        .update();
  }

  void finished(String repairId, String state, @Nullable String detail, Instant at) {
    jdbc.sql(
            "update signing_repair set state = ?, detail = ?, finished_at = ?"
                + " where repair_id = ? and state = 'RUNNING'")
        .params(state, detail, Timestamp.from(at), repairId)
        .update();
  }

  Optional<RepairRecord> find(String keyId, String repairId) {
    return jdbc.sql(
            "select repair_id, key_id, participant, helpers, state, detail, started_at,"
                + " finished_at from signing_repair where key_id = ? and repair_id = ?")
        .params(keyId, repairId)
        .query(
            (rs, n) ->
                new RepairRecord(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getInt(3),
                    java.util.Objects.requireNonNull(SigningKeys.signers(rs.getString(4))),
                    rs.getString(5),
                    rs.getString(6),
                    rs.getTimestamp(7).toInstant(),
                    rs.getTimestamp(8) == null ? null : rs.getTimestamp(8).toInstant()))
        .optional();
  }
}
