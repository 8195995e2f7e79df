package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.testkit.TestPostgres;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Migration V8 on a ledger that already has rows (written with the V7 schema): every transfer and
 * entry is carried over into its month's partition unchanged, entry ids keep growing, and the
 * invariants hold on the partitioned tables (append-only, a hold resolved once across months).
 */
class PartitionMigrationIT {

  private static final String A = "00000000-0000-7000-8000-00000000000a";
  private static final String B = "00000000-0000-7000-8000-00000000000b";
  private static final String T1 = "00000000-0000-7000-8000-000000000001";
  private static final String HOLD = "00000000-0000-7000-8000-000000000002";
  private static final String POST = "00000000-0000-7000-8000-000000000003";

  @Test
  void existingRowsAreCarriedIntoTheirMonthsAndTheInvariantsHold() {
    var server = TestPostgres.server();
    String url = TestPostgres.freshDatabase("ledgerpartmig");
    var dataSource = new DriverManagerDataSource(url, server.user(), server.password());
    JdbcClient jdbc = JdbcClient.create(dataSource);
    Flyway.configure().dataSource(dataSource).target("7").load().migrate();

    jdbc.sql(
            "insert into ledger_account (id, asset, asset_scale, code) values (?::uuid, 'USD', 2,"
                + " 'issuance'), (?::uuid, 'USD', 2, 'customer')")
        .params(A, B)
        .update();
    // A transfer of January 2025 with its entries, a hold of March 2025 posted in April 2025.
    jdbc.sql(
            """
            insert into ledger_transfer (id, debit_account_id, credit_account_id, amount, asset,
                reference, created_at, batch_id, legacy_ref, metadata)
            values (?::uuid, ?::uuid, ?::uuid, 1000, 'USD', 'old', '2025-01-10T08:00:00.123456Z',
                gen_random_uuid(), 'L-1', '{"a":1}');
            insert into ledger_entry (transfer_id, account_id, direction, amount, created_at)
            values (?::uuid, ?::uuid, 'D', 1000, '2025-01-10T08:00:00.123456Z'),
                   (?::uuid, ?::uuid, 'C', 1000, '2025-01-10T08:00:00.123456Z');
            insert into ledger_transfer (id, debit_account_id, credit_account_id, amount, asset,
                kind, created_at, batch_id)
            values (?::uuid, ?::uuid, ?::uuid, 5, 'USD', 'PENDING', '2025-03-31T23:59:59Z',
                gen_random_uuid());
            insert into ledger_transfer (id, debit_account_id, credit_account_id, amount, asset,
                kind, pending_id, created_at, batch_id)
            values (?::uuid, ?::uuid, ?::uuid, 5, 'USD', 'POST', ?::uuid, '2025-04-01T00:00:00Z',
                gen_random_uuid());
            insert into ledger_entry (transfer_id, account_id, direction, amount, created_at)
            values (?::uuid, ?::uuid, 'D', 5, '2025-04-01T00:00:00Z'),
                   (?::uuid, ?::uuid, 'C', 5, '2025-04-01T00:00:00Z')""")
        .params(T1, A, B, T1, A, T1, B, HOLD, A, B, POST, A, B, HOLD, POST, A, POST, B)
        .update();
    List<String> transfers = rows("ledger_transfer", jdbc);
    List<String> entries = rows("ledger_entry", jdbc);
    assertThat(transfers).hasSize(3);
    assertThat(entries).hasSize(4);

    Flyway.configure().dataSource(dataSource).load().migrate();

    assertThat(rows("ledger_transfer", jdbc)).isEqualTo(transfers);
    assertThat(rows("ledger_entry", jdbc)).isEqualTo(entries);
    assertThat(
            jdbc.sql("select tableoid::regclass::text from ledger_transfer order by created_at")
                .query(String.class)
                .list())
        .containsExactly(
            "ledger_transfer_y2025m01", "ledger_transfer_y2025m03", "ledger_transfer_y2025m04");
    assertThat(jdbc.sql("select count(*) from ledger_transfer_id").query(Long.class).single())
        .isEqualTo(3);
    // Entry ids keep growing from where they were.
    long maxEntry = jdbc.sql("select max(id) from ledger_entry").query(Long.class).single();
    assertThat(jdbc.sql("select nextval('ledger_entry_id_seq')").query(Long.class).single())
        .isGreaterThan(maxEntry);
    // Append-only on the partitions, as before.
    assertThatThrownBy(
            () ->
                jdbc.sql("update ledger_transfer set amount = 1 where id = ?::uuid")
                    .param(T1)
                    .update())
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> jdbc.sql("delete from ledger_entry").update())
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> jdbc.sql("truncate ledger_entry_y2025m01").update())
        .hasMessageContaining("append-only");
    // An entry must name a transfer of its own month (the entries' foreign key).
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        "insert into ledger_entry (transfer_id, account_id, direction, amount,"
                            + " created_at) values (?::uuid, ?::uuid, 'D', 1, '2025-04-01T00:00:00Z')")
                    .params(T1, A)
                    .update())
        .isInstanceOf(DataIntegrityViolationException.class)
        .hasMessageContaining("not in the entry's month");
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        "insert into ledger_entry (transfer_id, account_id, direction, amount,"
                            + " created_at) values (gen_random_uuid(), ?::uuid, 'D', 1,"
                            + " '2025-04-01T00:00:00Z')")
                    .param(A)
                    .update())
        .isInstanceOf(DataIntegrityViolationException.class);
    assertThat(rows("ledger_entry", jdbc)).isEqualTo(entries);
    // The hold of March was resolved in April: a second resolution, in any month, is refused.
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        "insert into ledger_transfer_id (id, created_at, pending_id) values"
                            + " (gen_random_uuid(), now(), ?::uuid)")
                    .param(HOLD)
                    .update())
        .isInstanceOf(DuplicateKeyException.class);
    // The same id again, whatever its month, is refused too.
    assertThatThrownBy(
            () ->
                jdbc.sql("insert into ledger_transfer_id (id, created_at) values (?::uuid, now())")
                    .param(T1)
                    .update())
        .isInstanceOf(DuplicateKeyException.class);
    // This month and the next two exist for live traffic.
    assertThat(
            jdbc.sql(
                    "select count(*) from pg_inherits where inhparent = 'ledger_transfer'::regclass")
                .query(Long.class)
                .single())
        .isGreaterThanOrEqualTo(6);
  }

  private static List<String> rows(String table, JdbcClient jdbc) {
    return jdbc.sql("select row_to_json(t)::text from " + table + " t order by id")
        .query(String.class)
        .list();
  }
}
