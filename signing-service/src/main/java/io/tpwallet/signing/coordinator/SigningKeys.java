package io.tpwallet.signing.coordinator;

import io.tpwallet.signing.wire.Wire;
import io.tpwallet.signing.wire.WireCodec;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Keys the coordinator made: public key, verifying shares per participant, the policy given. */
@Repository
@Profile("!signer")
class SigningKeys {

  /** A key's public material as the coordinator keeps it. */
  record SigningKey(
      String keyId,
      String suite,
      int minSigners,
      byte[] groupKey,
      SortedMap<Integer, byte[]> verifyingShares,
      Wire.Policy policy,
      Instant createdAt,
      @Nullable String refreshId) {

    List<Integer> participants() {
      return List.copyOf(verifyingShares.keySet());
    }
  }

  static final int LIST_SIZE_MAX = 500;
  static final int KEYS_CACHED_MAX = 10_000;

  private static final String INSERT_REQUEST =
      "insert into signing_request (at, key_id, request_id, outcome, signers, signature, detail)"
          + " values (?, ?, ?, ?, ?, ?, ?)";
  private static final int[] INSERT_REQUEST_TYPES = {
    Types.TIMESTAMP,
    Types.VARCHAR,
    Types.VARCHAR,
    Types.VARCHAR,
    Types.VARCHAR,
    Types.BINARY,
    Types.VARCHAR
  };

  /** One row of a key's request log. */
  record RequestRow(
      Instant at,
      String keyId,
      @Nullable String requestId,
      String outcome,
      @Nullable String signers,
      byte @Nullable [] signature,
      @Nullable String detail) {

    Object[] values() {
      return new Object[] {
        Timestamp.from(at), keyId, requestId, outcome, signers, signature, detail
      };
    }
  }

  private final JdbcClient jdbc;
  private final JdbcTemplate batches;
  private final TransactionTemplate tx;
  // Every signature looks its key up; a key changes only by a share refresh, which forgets it.
  private final Map<String, SigningKey> cache = new java.util.concurrent.ConcurrentHashMap<>();

  SigningKeys(JdbcClient jdbc, JdbcTemplate batches, PlatformTransactionManager transactions) {
    this.jdbc = jdbc;
    this.batches = batches;
    this.tx = new TransactionTemplate(transactions);
  }

  void insert(SigningKey key) {
    Wire.Policy p = key.policy();
    jdbc.sql(
            """
            insert into signing_key (key_id, suite, min_signers, group_key, asset, per_tx_max,
              per_day_max, destinations, created_at, approvals)
              values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
        .params(
            key.keyId(),
            key.suite(),
            key.minSigners(),
            key.groupKey(),
            p.asset(),
            new BigDecimal(p.perTransactionMax()),
            new BigDecimal(p.perDayMax()),
            String.join("\n", p.destinations()),
            Timestamp.from(key.createdAt()),
            WireCodec.approvalsText(p.approvals()))
        .update();
    key.verifyingShares()
        .forEach(
            (id, share) ->
                jdbc.sql(
                        "insert into signing_key_share (key_id, participant, verifying_share)"
                            + " values (?, ?, ?)")
                    .params(key.keyId(), id, share)
                    .update());
  }

  Optional<SigningKey> find(String keyId) {
    SigningKey cached = cache.get(keyId);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<SigningKey> found = list(keyId).stream().findFirst();
    found.ifPresent(
        key -> {
          if (cache.size() >= KEYS_CACHED_MAX) {
            cache.clear();
          }
          cache.put(keyId, key);
        });
    return found;
  }

  /**
   * After a refresh's test signature: the key's new verifying shares and the generation the nodes
   * now sign with. Run in one transaction; the cached key is dropped.
   */
  void refreshed(
      String keyId, String refreshId, SortedMap<Integer, byte[]> verifyingShares, Instant at) {
    verifyingShares.forEach(
        (participant, share) -> {
          int updated =
              jdbc.sql(
                      "update signing_key_share set verifying_share = ? where key_id = ?"
                          + " and participant = ?")
                  .params(share, keyId, participant)
                  .update();
          if (updated != 1) {
            throw new IllegalStateException("key " + keyId + " has no participant " + participant);
          }
        });
    jdbc.sql("update signing_key set refresh_id = ?, refreshed_at = ? where key_id = ?")
        .params(refreshId, Timestamp.from(at), keyId)
        .update();
    forget(keyId);
  }

  /** Drops a key from the cache after its verifying shares changed. */
  void forget(String keyId) {
    cache.remove(keyId);
  }

  List<SigningKey> all() {
    return list(null);
  }

  private List<SigningKey> list(@Nullable String keyId) {
    Map<String, SortedMap<Integer, byte[]>> shares = new TreeMap<>();
    jdbc.sql(
            "select key_id, participant, verifying_share from signing_key_share"
                + (keyId == null ? "" : " where key_id = :id"))
        .paramSource(keyId == null ? Map.of() : Map.of("id", keyId))
        .query(
            rs -> {
              shares
                  .computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                  .put(rs.getInt(2), rs.getBytes(3));
            });
    return jdbc.sql(
            "select key_id, suite, min_signers, group_key, asset, per_tx_max, per_day_max,"
                + " destinations, created_at, approvals, refresh_id from signing_key"
                + (keyId == null ? "" : " where key_id = :id")
                + " order by created_at, key_id limit "
                + LIST_SIZE_MAX)
        .paramSource(keyId == null ? Map.of() : Map.of("id", keyId))
        .query(
            (rs, n) ->
                new SigningKey(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getInt(3),
                    rs.getBytes(4),
                    shares.getOrDefault(rs.getString(1), new TreeMap<>()),
                    new Wire.Policy(
                        rs.getString(5),
                        rs.getBigDecimal(6).toBigIntegerExact(),
                        rs.getBigDecimal(7).toBigIntegerExact(),
                        Arrays.asList(rs.getString(8).split("\n")),
                        WireCodec.approvals(rs.getString(10))),
                    rs.getTimestamp(9).toInstant(),
                    rs.getString(11)))
        .list();
  }

  /** A signature this key already made for a request id. */
  record EarlierSignature(byte[] signature, List<Integer> signers) {}

  Optional<EarlierSignature> signedBefore(String keyId, String requestId) {
    return jdbc.sql(
            "select signature, signers from signing_request where key_id = ? and request_id = ?"
                + " and outcome = 'SIGNED' order by id limit 1")
        .params(keyId, requestId)
        .query(
            (rs, n) ->
                new EarlierSignature(
                    rs.getBytes(1), Objects.requireNonNull(signers(rs.getString(2)))))
        .optional();
  }

  /** The signer list as recorded ("[1, 2]"), or null where none was. */
  static @Nullable List<Integer> signers(@Nullable String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    return Arrays.stream(text.replaceAll("[\\[\\] ]", "").split(","))
        .map(Integer::valueOf)
        .toList();
  }

  void recordRequest(RequestRow row) {
    Runnable insert = () -> jdbc.sql(INSERT_REQUEST).params(row.values()).update();
    if (TransactionSynchronizationManager.isActualTransactionActive()) {
      // A sign command's transaction (inbox, outbox): it commits durably, as a whole.
      insert.run();
      return;
    }
    // A REST request's record is the coordinator's log, not the evidence (each node audits its own
    // decisions durably before releasing a share): committed without waiting for the WAL flush,
    // so a signature does not wait for an fsync here. A crash of PostgreSQL itself may lose the
    // last fraction of a second of these rows.
    tx.executeWithoutResult(
        status -> {
          jdbc.sql("set local synchronous_commit to off").update();
          insert.run();
        });
  }

  /**
   * Runs {@code work} in one transaction whose commit does not wait for the WAL flush: the request
   * log rows of a signing batch, committed together (the log's durability as for one REST row).
   */
  /**
   * Inserts request log rows in the caller's transaction (a signing batch's {@link
   * #inOneRequestLogCommit}) as one JDBC batch: the same rows as one {@link #recordRequest} each,
   * sent to PostgreSQL together instead of one round trip per signature.
   */
  void recordRequests(List<RequestRow> rows) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalStateException("request log rows are batched within a transaction only");
    }
    if (rows.isEmpty()) {
      return;
    }
    List<Object[]> values = new ArrayList<>(rows.size());
    rows.forEach(r -> values.add(r.values()));
    batches.batchUpdate(INSERT_REQUEST, values, INSERT_REQUEST_TYPES);
  }

  void inOneRequestLogCommit(Runnable work) {
    tx.executeWithoutResult(
        status -> {
          jdbc.sql("set local synchronous_commit to off").update();
          work.run();
        });
  }

  /** One row of the coordinator's request log. */
  record RequestRecord(
      long id,
      Instant at,
      @Nullable String requestId,
      String outcome,
      @Nullable String signers,
      byte @Nullable [] signature,
      @Nullable String detail) {}

  /**
   * A key's requests in the order they were recorded, after {@code afterId}, at most {@code limit}.
   */
  List<RequestRecord> requests(String keyId, long afterId, int limit) {
    return jdbc.sql(
            "select id, at, request_id, outcome, signers, signature, detail from signing_request"
                + " where key_id = ? and id > ? order by id limit ?")
        .params(keyId, afterId, limit)
        .query(
            (rs, n) ->
                new RequestRecord(
                    rs.getLong(1),
                    rs.getTimestamp(2).toInstant(),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getBytes(6),
                    rs.getString(7)))
        .list();
  }
}
