package io.tpwallet.signing.node;

import io.tpwallet.signing.wire.Wire;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
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
      Wire.Policy policy) {}

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
              group_key, verifying_share, asset, per_tx_max, per_day_max)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
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
            p.perDayMax())
        .update();
    for (String d : p.destinations()) {
      jdbc.sql("insert into node_key_destination (key_id, destination) values (?, ?)")
          .params(key.keyId(), d)
          .update();
    }
  }

  /** The key, its row locked until the transaction ends, so per-day sums are not raced. */
  Optional<NodeKey> findForUpdate(String keyId) {
    return find(keyId, " for update");
  }

  Optional<NodeKey> find(String keyId) {
    return find(keyId, "");
  }

  private Optional<NodeKey> find(String keyId, String lock) {
    List<String> destinations =
        jdbc.sql("select destination from node_key_destination where key_id = ? order by 1")
            .param(keyId)
            .query(String.class)
            .list();
    return jdbc.sql(
            "select key_id, suite, participant, min_signers, max_signers, group_key,"
                + " verifying_share, asset, per_tx_max, per_day_max from node_key where key_id = ?"
                + lock)
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
                        destinations)))
        .optional();
  }

  BigInteger signedSince(String keyId, java.time.Instant since) {
    return jdbc.sql(
            "select coalesce(sum(amount), 0) from signing_audit"
                + " where key_id = ? and decision = 'SIGNED' and at >= ?")
        .params(keyId, java.sql.Timestamp.from(since))
        .query(java.math.BigDecimal.class)
        .single()
        .toBigIntegerExact();
  }
}
