package io.tpwallet.account.customer;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class CustomerRepository {

  private static final String COLUMNS =
      "id, kind, parent_id, display_name, email, kyc_tier, limit_asset, per_tx_minor,"
          + " per_day_minor, created_at, legacy_ref";

  private final JdbcClient jdbc;

  CustomerRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void insert(Customer c) {
    var limits = c.limits();
    jdbc.sql(
            "insert into customer (id, kind, parent_id, display_name, email, kyc_tier, limit_asset,"
                + " per_tx_minor, per_day_minor, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .params(
            c.id(),
            c.kind().name(),
            c.parentId(),
            c.displayName(),
            c.email(),
            c.kycTier(),
            limits == null ? null : limits.asset(),
            limits == null ? null : new BigDecimal(limits.perTransaction()),
            limits == null ? null : new BigDecimal(limits.perDay()),
            Timestamp.from(c.createdAt()))
        .update();
  }

  void insertCredential(UUID customerId, String passwordHash, Instant now) {
    jdbc.sql(
            "insert into customer_credential (customer_id, password_hash, updated_at) values (?,"
                + " ?, ?)")
        .params(customerId, passwordHash, Timestamp.from(now))
        .update();
  }

  void replacePasswordHash(UUID customerId, String passwordHash, Instant now) {
    int updated =
        jdbc.sql(
                "insert into customer_credential (customer_id, password_hash, updated_at) values"
                    + " (?, ?, ?) on conflict (customer_id) do update set password_hash ="
                    + " excluded.password_hash, updated_at = excluded.updated_at")
            .params(customerId, passwordHash, Timestamp.from(now))
            .update();
    if (updated != 1) {
      throw new IllegalStateException("credential of " + customerId + " not replaced");
    }
  }

  Optional<UUID> idByEmail(String email) {
    return jdbc.sql("select id from customer where email = ?")
        .param(email)
        .query(UUID.class)
        .optional();
  }

  Optional<Customer> find(UUID id) {
    return jdbc.sql("select " + COLUMNS + " from customer where id = ?")
        .param(id)
        .query(CustomerRepository::map)
        .optional();
  }

  boolean emailTaken(String email) {
    return jdbc.sql("select count(*) from customer where email = ?")
            .param(email)
            .query(Long.class)
            .single()
        > 0;
  }

  /** The customer with this e-mail and its password hash, if it has a login. */
  Optional<Login> login(String email) {
    return jdbc.sql(
            "select c.id, k.password_hash from customer c join customer_credential k on"
                + " k.customer_id = c.id where c.email = ?")
        .param(email)
        .query((rs, i) -> new Login(rs.getObject(1, UUID.class), rs.getString(2)))
        .optional();
  }

  record Login(UUID customerId, String passwordHash) {}

  List<Customer> children(UUID parent, int limit) {
    return jdbc.sql("select " + COLUMNS + " from customer where parent_id = ? order by id limit ?")
        .params(parent, limit)
        .query(CustomerRepository::map)
        .list();
  }

  boolean setTier(UUID id, String tier) {
    return jdbc.sql("update customer set kyc_tier = ? where id = ?").params(tier, id).update() == 1;
  }

  /** What an import knows of a customer: its legacy fields, or nulls for a platform customer. */
  record Imported(
      UUID id,
      @Nullable String legacyRef,
      @Nullable UUID jobId,
      boolean deleted,
      String displayName,
      @Nullable String email,
      @Nullable String note) {}

  Optional<Imported> imported(UUID id) {
    return jdbc.sql(
            "select id, legacy_ref, migration_job_id, legacy_deleted, display_name, email,"
                + " import_note from customer where id = ?")
        .param(id)
        .query(
            (rs, i) ->
                new Imported(
                    rs.getObject(1, UUID.class),
                    rs.getString(2),
                    rs.getObject(3, UUID.class),
                    rs.getBoolean(4),
                    rs.getString(5),
                    rs.getString(6),
                    rs.getString(7)))
        .optional();
  }

  /** The customer a job imported as {@code legacyRef} (unique per job). */
  Optional<UUID> idByLegacyRef(UUID jobId, String legacyRef) {
    return jdbc.sql("select id from customer where migration_job_id = ? and legacy_ref = ?")
        .params(jobId, legacyRef)
        .query(UUID.class)
        .optional();
  }

  void insertImported(Imported c, Instant createdAt) {
    jdbc.sql(
            "insert into customer (id, kind, display_name, email, kyc_tier, created_at,"
                + " legacy_ref, migration_job_id, legacy_deleted, import_note)"
                + " values (?, 'INDIVIDUAL', ?, ?, 'L0', ?, ?, ?, ?, ?)")
        .params(
            c.id(),
            c.displayName(),
            c.email(),
            Timestamp.from(createdAt),
            c.legacyRef(),
            c.jobId(),
            c.deleted(),
            c.note())
        .update();
  }

  void updateImported(Imported c) {
    jdbc.sql(
            "update customer set display_name = ?, email = ?, migration_job_id = ?,"
                + " legacy_deleted = ?, import_note = ? where id = ? and legacy_ref = ?")
        .params(c.displayName(), c.email(), c.jobId(), c.deleted(), c.note(), c.id(), c.legacyRef())
        .update();
  }

  private static Customer map(ResultSet rs, int row) throws SQLException {
    String asset = rs.getString("limit_asset");
    Customer.OwnLimits limits =
        asset == null
            ? null
            : new Customer.OwnLimits(
                asset,
                plain(rs.getBigDecimal("per_tx_minor")),
                plain(rs.getBigDecimal("per_day_minor")));
    return new Customer(
        rs.getObject("id", UUID.class),
        CustomerKind.valueOf(rs.getString("kind")),
        rs.getObject("parent_id", UUID.class),
        rs.getString("display_name"),
        rs.getString("email"),
        rs.getString("kyc_tier"),
        limits,
        rs.getTimestamp("created_at").toInstant(),
        rs.getString("legacy_ref"));
  }

  private static String plain(@Nullable BigDecimal value) {
    return value == null ? "0" : value.toBigIntegerExact().toString();
  }
}
