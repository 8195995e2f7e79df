package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.testkit.TestPostgres;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The database's own rules of double entry and of accounts since migration V9 (checked once per
 * statement over the rows it inserted or updated), tried with raw SQL as a superuser's script or a
 * faulty writer would: a transfer that posts needs both its entries from the statement that inserts
 * it, entries balance their transfer, nothing is appended later, accounts exist and only their
 * totals move. Each refusal leaves nothing written.
 */
class DoubleEntryRulesIT {

  private static final String ALICE = "00000000-0000-7000-8000-00000000000a";
  private static final String BOB = "00000000-0000-7000-8000-00000000000b";

  static JdbcClient jdbc;

  @BeforeAll
  static void migrate() {
    var server = TestPostgres.server();
    var dataSource =
        new DriverManagerDataSource(
            TestPostgres.freshDatabase("ledgerrules"), server.user(), server.password());
    Flyway.configure().dataSource(dataSource).load().migrate();
    jdbc = JdbcClient.create(dataSource);
    jdbc.sql(
            "insert into ledger_account (id, asset, asset_scale, code) values (?::uuid, 'USD', 2,"
                + " 'issuance'), (?::uuid, 'USD', 2, 'customer')")
        .params(ALICE, BOB)
        .update();
  }

  /**
   * One statement writing a transfer of {@code amount} from Alice to Bob (its id row included) and
   * the given entries, written as SQL {@code values} rows over (transfer id, account, direction,
   * amount), e.g. {@code (:t, :a, 'D', 5)}; {@code :t}, {@code :a}, {@code :b} are the transfer,
   * Alice and Bob.
   */
  private static void transferWith(UUID id, String kind, int amount, String entries) {
    String transfer =
        "insert into ledger_transfer (id, debit_account_id, credit_account_id, amount, asset,"
            + " kind, batch_id) values (:t, :a, :b, :amount, 'USD', :kind, gen_random_uuid())";
    String sql =
        "with i as (insert into ledger_transfer_id (id, created_at) values (:t, now()))"
            + (entries.isEmpty()
                ? " " + transfer
                : ", t as ("
                    + transfer
                    + ") insert into ledger_entry (transfer_id, account_id, direction, amount)"
                    + " values "
                    + entries);
    jdbc.sql(sql)
        .param("t", id)
        .param("a", UUID.fromString(ALICE))
        .param("b", UUID.fromString(BOB))
        .param("amount", amount)
        .param("kind", kind)
        .update();
  }

  private static long count(String sql, UUID id) {
    return jdbc.sql(sql).param(id).query(Long.class).single();
  }

  private static long transfers(UUID id) {
    return count("select count(*) from ledger_transfer where id = ?", id);
  }

  private static long entries(UUID id) {
    return count("select count(*) from ledger_entry where transfer_id = ?", id);
  }

  @Test
  void aTransferWithItsTwoEntriesInOneStatementIsWritten() {
    UUID id = UUID.randomUUID();
    transferWith(id, "SINGLE", 5, "(:t, :a, 'D', 5), (:t, :b, 'C', 5)");
    assertThat(transfers(id)).isOne();
    assertThat(entries(id)).isEqualTo(2);
  }

  @Test
  void aTransferThatPostsWithoutEntriesIsRefused() {
    UUID id = UUID.randomUUID();
    assertThatThrownBy(() -> transferWith(id, "SINGLE", 5, ""))
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("does not have exactly one debit and one credit entry");
    assertThat(transfers(id)).isZero();
  }

  @Test
  void aTransferWhoseEntriesComeInALaterStatementIsRefused() {
    UUID id = UUID.randomUUID();
    assertThatThrownBy(() -> transferWith(id, "SINGLE", 5, ""))
        .isInstanceOf(DataAccessException.class);
    // The entries alone, afterwards, have no transfer to belong to.
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        "insert into ledger_entry (transfer_id, account_id, direction, amount)"
                            + " values (?, ?::uuid, 'D', 5), (?, ?::uuid, 'C', 5)")
                    .params(id, ALICE, id, BOB)
                    .update())
        .isInstanceOf(DataIntegrityViolationException.class)
        .hasMessageContaining("not in the entry's month");
    assertThat(transfers(id)).isZero();
    assertThat(entries(id)).isZero();
  }

  @Test
  void aTransferWithOnlyItsDebitIsRefused() {
    UUID id = UUID.randomUUID();
    assertThatThrownBy(() -> transferWith(id, "SINGLE", 5, "(:t, :a, 'D', 5)"))
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("does not have exactly one debit and one credit entry");
    assertThat(transfers(id) + entries(id)).isZero();
  }

  @Test
  void unbalancedEntriesAreRefused() {
    UUID credit = UUID.randomUUID();
    assertThatThrownBy(
            () -> transferWith(credit, "SINGLE", 5, "(:t, :a, 'D', 5), (:t, :b, 'C', 6)"))
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("is not its debit or credit of its amount");
    UUID both = UUID.randomUUID();
    assertThatThrownBy(() -> transferWith(both, "SINGLE", 5, "(:t, :a, 'D', 4), (:t, :b, 'C', 4)"))
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("is not its debit or credit of its amount");
    UUID swapped = UUID.randomUUID();
    assertThatThrownBy(
            () -> transferWith(swapped, "SINGLE", 5, "(:t, :b, 'D', 5), (:t, :a, 'C', 5)"))
        .as("the debit on the credit account")
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("is not its debit or credit of its amount");
    assertThat(transfers(credit) + transfers(both) + transfers(swapped)).isZero();
  }

  /** A debit entry of transfer {@code id}'s amount on its debit account, in a later statement. */
  private static void appendDebitEntry(UUID id) {
    jdbc.sql(
            "insert into ledger_entry (transfer_id, account_id, direction, amount, created_at)"
                + " select id, debit_account_id, 'D', amount, created_at from ledger_transfer"
                + " where id = ?")
        .param(id)
        .update();
  }

  @Test
  void noEntryIsAppendedLaterToAnExistingTransfer() {
    UUID id = UUID.randomUUID();
    transferWith(id, "SINGLE", 5, "(:t, :a, 'D', 5), (:t, :b, 'C', 5)");
    assertThatThrownBy(() -> appendDebitEntry(id))
        .isInstanceOf(DataIntegrityViolationException.class);
    assertThat(entries(id)).isEqualTo(2);
  }

  @Test
  void aHoldHasNoEntriesThenOrLater() {
    UUID inOne = UUID.randomUUID();
    assertThatThrownBy(
            () -> transferWith(inOne, "PENDING", 5, "(:t, :a, 'D', 5), (:t, :b, 'C', 5)"))
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("a transfer that does not post has no entries");
    assertThat(transfers(inOne)).isZero();

    UUID hold = UUID.randomUUID();
    transferWith(hold, "PENDING", 5, "");
    assertThat(transfers(hold)).isOne();
    assertThatThrownBy(() -> appendDebitEntry(hold))
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("a transfer that does not post has no entries");
    assertThat(entries(hold)).isZero();
  }

  /**
   * A transfer without entries inserted straight into {@code partition} (not through the parent,
   * whose statement triggers do not fire then), with its id row at {@code createdAt}.
   */
  private static void intoPartitionWithoutEntries(String partition, UUID id, String createdAt) {
    jdbc.sql("insert into ledger_transfer_id (id, created_at) values (?, ?::timestamptz)")
        .params(id, createdAt)
        .update();
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        "insert into "
                            + partition
                            + " (id, debit_account_id, credit_account_id, amount, asset,"
                            + " batch_id, created_at) values (?, ?::uuid, ?::uuid, 5, 'USD',"
                            + " gen_random_uuid(), ?::timestamptz)")
                    .params(id, ALICE, BOB, createdAt)
                    .update())
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("does not have exactly one debit and one credit entry");
    assertThat(transfers(id)).isZero();
  }

  @Test
  void writingIntoAPartitionDirectlyIsCheckedTooIncludingAMonthMadeLater() {
    String now = jdbc.sql("select now()::text").query(String.class).single();
    String partition =
        jdbc.sql(
                "select 'ledger_transfer_' || to_char(?::timestamptz at time zone 'UTC',"
                    + " '\"y\"YYYY\"m\"MM')")
            .param(now)
            .query(String.class)
            .single();
    intoPartitionWithoutEntries(partition, UUID.randomUUID(), now);
    // A month created after the migration gets the same checks on its partitions.
    jdbc.sql("select ledger_create_month('2031-05-10T00:00:00Z')").query(Boolean.class).single();
    intoPartitionWithoutEntries(
        "ledger_transfer_y2031m05", UUID.randomUUID(), "2031-05-10T00:00:00Z");
  }

  /** On either side: V12 checks both accounts of a row in one lookup each. */
  @Test
  void aTransferNamingAnUnknownAccountIsRefused() {
    for (boolean debitUnknown : new boolean[] {true, false}) {
      UUID id = UUID.randomUUID();
      UUID nobody = UUID.randomUUID();
      UUID debit = debitUnknown ? nobody : UUID.fromString(ALICE);
      UUID credit = debitUnknown ? UUID.fromString(ALICE) : nobody;
      assertThatThrownBy(
              () ->
                  jdbc.sql(
                          """
                          with i as (insert into ledger_transfer_id (id, created_at)
                              values (:t, now())),
                          t as (insert into ledger_transfer (id, debit_account_id,
                              credit_account_id, amount, asset, batch_id)
                              values (:t, :d, :c, 5, 'USD', gen_random_uuid()))
                          insert into ledger_entry (transfer_id, account_id, direction, amount)
                          values (:t, :d, 'D', 5), (:t, :c, 'C', 5)""")
                      .param("t", id)
                      .param("d", debit)
                      .param("c", credit)
                      .update())
          .as(debitUnknown ? "unknown debit account" : "unknown credit account")
          .isInstanceOf(DataIntegrityViolationException.class)
          .hasMessageContaining("names an account that does not exist");
      assertThat(transfers(id)).isZero();
    }
  }

  /**
   * Since V10 the references of a resolution and of a reversal to the id table are checked once per
   * statement (no foreign-key trigger per row): a hold or reversed transfer that does not exist is
   * refused with the foreign key's SQLSTATE, and nothing is written.
   */
  @Test
  void aResolutionOrReversalNamingNoTransferIsRefused() {
    UUID hold = UUID.randomUUID();
    UUID nothing = UUID.randomUUID();
    jdbc.sql(
            """
            with i as (insert into ledger_transfer_id (id, created_at) values (:h, now()))
            insert into ledger_transfer (id, debit_account_id, credit_account_id, amount, asset,
                kind, batch_id) values (:h, :a, :b, 5, 'USD', 'PENDING', gen_random_uuid())""")
        .param("h", hold)
        .param("a", UUID.fromString(ALICE))
        .param("b", UUID.fromString(BOB))
        .update();
    UUID voidOfNothing = UUID.randomUUID();
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        """
                        with i as (insert into ledger_transfer_id (id, created_at, pending_id)
                            values (:v, now(), :p))
                        insert into ledger_transfer (id, debit_account_id, credit_account_id,
                            amount, asset, kind, pending_id, batch_id)
                        values (:v, :a, :b, 5, 'USD', 'VOID', :p, gen_random_uuid())""")
                    .param("v", voidOfNothing)
                    .param("p", nothing)
                    .param("a", UUID.fromString(ALICE))
                    .param("b", UUID.fromString(BOB))
                    .update())
        .isInstanceOf(DataIntegrityViolationException.class)
        .hasMessageContaining("resolves a hold that does not exist");
    UUID reversal = UUID.randomUUID();
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        """
                        with i as (insert into ledger_transfer_id (id, created_at)
                            values (:t, now())),
                        t as (insert into ledger_transfer (id, debit_account_id,
                            credit_account_id, amount, asset, reverses_id, batch_id)
                            values (:t, :b, :a, 5, 'USD', :r, gen_random_uuid()))
                        insert into ledger_entry (transfer_id, account_id, direction, amount)
                        values (:t, :b, 'D', 5), (:t, :a, 'C', 5)""")
                    .param("t", reversal)
                    .param("r", nothing)
                    .param("a", UUID.fromString(ALICE))
                    .param("b", UUID.fromString(BOB))
                    .update())
        .isInstanceOf(DataIntegrityViolationException.class)
        .hasMessageContaining("reverses a transfer that does not exist");
    assertThat(transfers(voidOfNothing) + transfers(reversal) + entries(reversal)).isZero();
    assertThat(
            count("select count(*) from ledger_transfer_id where id = ?", voidOfNothing)
                + count("select count(*) from ledger_transfer_id where id = ?", reversal))
        .isZero();
    // The hold itself resolves fine: a void naming it is written.
    UUID voided = UUID.randomUUID();
    jdbc.sql(
            """
            with i as (insert into ledger_transfer_id (id, created_at, pending_id)
                values (:v, now(), :h))
            insert into ledger_transfer (id, debit_account_id, credit_account_id, amount, asset,
                kind, pending_id, batch_id)
            values (:v, :a, :b, 5, 'USD', 'VOID', :h, gen_random_uuid())""")
        .param("v", voided)
        .param("h", hold)
        .param("a", UUID.fromString(ALICE))
        .param("b", UUID.fromString(BOB))
        .update();
    assertThat(transfers(voided)).isOne();
  }

  private static String totals(String account) {
    return jdbc.sql(
            "select debits_posted || '/' || credits_posted || '/' || code from ledger_account"
                + " where id = ?::uuid")
        .param(account)
        .query(String.class)
        .single();
  }

  @Test
  void onlyAnAccountsTotalsMoveAndPostedTotalsNeverGoDown() {
    jdbc.sql("update ledger_account set credits_posted = credits_posted + 7 where id = ?::uuid")
        .param(BOB)
        .update();
    String before = totals(BOB);
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        "update ledger_account set credits_posted = credits_posted - 1"
                            + " where id = ?::uuid")
                    .param(BOB)
                    .update())
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("posted totals never decrease");
    assertThatThrownBy(
            () ->
                jdbc.sql("update ledger_account set code = 'other' where id = ?::uuid")
                    .param(BOB)
                    .update())
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("only the totals of an account change");
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        "update ledger_account set id = gen_random_uuid(),"
                            + " credits_posted = credits_posted + 1 where id = ?::uuid")
                    .param(BOB)
                    .update())
        .as("an account's id never changes")
        .isInstanceOf(DataAccessException.class);
    assertThatThrownBy(
            () -> jdbc.sql("delete from ledger_account where id = ?::uuid").param(BOB).update())
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("never deleted");
    assertThat(totals(BOB)).isEqualTo(before);
  }
}
