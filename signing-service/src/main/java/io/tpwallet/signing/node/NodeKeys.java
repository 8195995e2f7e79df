package io.tpwallet.signing.node;

import io.tpwallet.signing.wire.Wire;
import io.tpwallet.signing.wire.WireCodec;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The keys this node holds a share of: public parts and the policy it enforces for each. */
@Repository
@Profile("signer")
class NodeKeys {

  /** A key as this node knows it. */
  record NodeKey(
      String keyId,
      String suite,
      int participant,
      int minSigners,
      int maxSigners,
      byte[] groupKey,
      byte[] verifyingShare,
      Wire.Policy policy,
      @Nullable String refreshId) {}

  /** A refreshed share waiting for the coordinator's commit. */
  record Pending(String refreshId, byte[] verifyingShare, boolean tested) {}

  private final JdbcClient jdbc;

  NodeKeys(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  boolean exists(String keyId) {
    return jdbc.sql("select count(*) from node_key where key_id = ?")
            .param(keyId)
            .query(Long.class)
            .single()
        > 0;
  }

  void insert(NodeKey key) {
    Wire.Policy p = key.policy();
    jdbc.sql(
            """
            insert into node_key (key_id, suite, participant, min_signers, max_signers,
              group_key, verifying_share, asset, per_tx_max, per_day_max, approvals)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
        .params(
            key.keyId(),
            key.suite(),
            key.participant(),
            key.minSigners(),
            key.maxSigners(),
            key.groupKey(),
            key.verifyingShare(),
            p.asset(),
            p.perTransactionMax(),
            p.perDayMax(),
            WireCodec.approvalsText(p.approvals()))
        .update();
    for (String d : p.destinations()) {
      jdbc.sql("insert into node_key_destination (key_id, destination) values (?, ?)")
          .params(key.keyId(), d)
          .update();
    }
  }

  Optional<NodeKey> find(String keyId) {
    List<String> destinations =
        jdbc.sql("select destination from node_key_destination where key_id = ? order by 1")
            .param(keyId)
            .query(String.class)
            .list();
    return jdbc.sql(
            "select key_id, suite, participant, min_signers, max_signers, group_key,"
                + " verifying_share, asset, per_tx_max, per_day_max, approvals, refresh_id from node_key"
                + " where key_id = ?")
        .param(keyId)
        .query(
            (rs, n) ->
                new NodeKey(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getInt(3),
                    rs.getInt(4),
                    rs.getInt(5),
                    rs.getBytes(6),
                    rs.getBytes(7),
                    new Wire.Policy(
                        rs.getString(8),
                        rs.getBigDecimal(9).toBigIntegerExact(),
                        rs.getBigDecimal(10).toBigIntegerExact(),
                        destinations,
                        WireCodec.approvals(rs.getString(11))),
                    rs.getString(12)))
        .optional();
  }

  /**
   * Adds {@code amount} to what this node signed with the key on {@code day}, only if the total
   * stays within {@code perDayMax}; the new total, or empty when the limit would be passed. The row
   * stays locked until the transaction ends, so two requests cannot both pass the limit.
   */
  Optional<BigInteger> addToDay(
      String keyId, java.time.LocalDate day, BigInteger amount, BigInteger perDayMax) {
    if (amount.compareTo(perDayMax) > 0) {
      return Optional.empty();
    }
    return jdbc.sql(
            """
            insert into signing_day_total (key_id, day, amount) values (?, ?, ?)
            on conflict (key_id, day) do update
              set amount = signing_day_total.amount + excluded.amount
              where signing_day_total.amount + excluded.amount <= ?
            returning amount""")
        .params(keyId, day, new java.math.BigDecimal(amount), new java.math.BigDecimal(perDayMax))
        .query(java.math.BigDecimal.class)
        .optional()
        .map(java.math.BigDecimal::toBigIntegerExact);
  }

  Optional<Pending> pending(String keyId) {
    return jdbc.sql(
            "select refresh_id, verifying_share, tested from pending_share where key_id = ?")
        .param(keyId)
        .query((rs, n) -> new Pending(rs.getString(1), rs.getBytes(2), rs.getBoolean(3)))
        .optional();
  }

  void insertPending(String keyId, String refreshId, byte[] verifyingShare) {
    jdbc.sql("insert into pending_share (key_id, refresh_id, verifying_share) values (?, ?, ?)")
        .params(keyId, refreshId, verifyingShare)
        .update();
  }

  void markTested(String keyId, String refreshId) {
    jdbc.sql("update pending_share set tested = true where key_id = ? and refresh_id = ?")
        .params(keyId, refreshId)
        .update();
  }

  void deletePending(String keyId) {
    jdbc.sql("delete from pending_share where key_id = ?").param(keyId).update();
  }

  /** Makes the refreshed generation the active one. */
  void activate(String keyId, String refreshId, byte[] verifyingShare) {
    jdbc.sql("update node_key set verifying_share = ?, refresh_id = ? where key_id = ?")
        .params(verifyingShare, refreshId, keyId)
        .update();
  }

  /** What this node signed with the key on {@code day} (UTC). */
  BigInteger signedOn(String keyId, java.time.LocalDate day) {
    return jdbc.sql("select amount from signing_day_total where key_id = ? and day = ?")
        .params(keyId, day)
        .query(java.math.BigDecimal.class)
        .optional()
        .map(java.math.BigDecimal::toBigIntegerExact)
        .orElse(BigInteger.ZERO);
  }
}
