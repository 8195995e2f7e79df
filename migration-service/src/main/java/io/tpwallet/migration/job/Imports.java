package io.tpwallet.migration.job;

import io.tpwallet.common.event.LegacyCustomerImportRequested;
import io.tpwallet.common.event.LegacyWalletImportRequested;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.outbox.Outbox;
import io.tpwallet.migration.ledger.AccountSpec;
import io.tpwallet.migration.transform.LegacyIds;
import io.tpwallet.migration.transform.Refusal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The legacy users and wallets as account-service is asked to hold them: a customer command for
 * every new or changed legacy user, a wallet command for every wallet whose ledger account is open
 * and whose user is known, each on the outbox in the batch's transaction and each sent once per
 * change of what it carries (a replayed batch, or a wallet whose balance alone moved, sends none).
 *
 * <p>Both commands are keyed by the customer id, and a wallet is only imported after its user's
 * command was put on the outbox (in an earlier batch, or earlier in the same one), so
 * account-service reads a customer before its wallets. A wallet whose user the runner has never
 * seen is an orphan: it is reported ({@link #ORPHAN_USER}) and not imported until its user appears,
 * while its money stays in its ledger account (it is migrated, reconciled and limited at cutover
 * like any other).
 */
@Component
class Imports {

  /** The failure reason of a wallet whose user does not exist in legacy (or not yet). */
  static final String ORPHAN_USER = "orphan-user";

  private final JdbcClient jdbc;
  private final Outbox outbox;

  Imports(JdbcClient jdbc, Outbox outbox) {
    this.jdbc = jdbc;
    this.outbox = outbox;
  }

  /**
   * A legacy user row as captured. {@code keyOnly}: a hard DELETE of a table without a full replica
   * identity carries only the key; the user is then marked deleted with what was stored of it.
   */
  record UserRow(
      long id,
      @Nullable String email,
      @Nullable String displayName,
      @Nullable Instant createdAt,
      boolean deleted,
      boolean keyOnly) {}

  /**
   * Stores the users and puts a customer command on the outbox for each one that is new or changed
   * (none in a dry run); answers the ids of the users stored.
   */
  List<Long> users(MigrationJob job, List<UserRow> rows) {
    List<UserRow> full = rows.stream().filter(r -> !r.keyOnly()).toList();
    List<Long> keyOnly = rows.stream().filter(UserRow::keyOnly).map(UserRow::id).toList();
    LegacyIds ids = job.ids();
    List<LegacyCustomerImportRequested> changed = new ArrayList<>();
    if (!full.isEmpty()) {
      changed.addAll(
          jdbc.sql(
                  """
                  insert into legacy_user (job_id, user_id, customer_id, email, display_name,
                    created_at, deleted)
                  select ?, u.user_id, u.customer_id::uuid, u.email, u.display_name,
                    u.created_at::timestamptz, u.deleted
                  from unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[])
                    as u(user_id, customer_id, email, display_name, created_at, deleted)
                  on conflict (job_id, user_id) do update set email = excluded.email,
                    display_name = excluded.display_name, created_at = excluded.created_at,
                    deleted = excluded.deleted
                  where (legacy_user.email, legacy_user.display_name, legacy_user.created_at,
                      legacy_user.deleted)
                    is distinct from (excluded.email, excluded.display_name, excluded.created_at,
                      excluded.deleted)
                  returning user_id, customer_id, email, display_name, created_at, deleted""")
              .params(
                  job.id(),
                  full.stream().map(UserRow::id).toArray(Long[]::new),
                  full.stream().map(r -> ids.customer(r.id()).toString()).toArray(String[]::new),
                  full.stream().map(UserRow::email).toArray(String[]::new),
                  full.stream().map(UserRow::displayName).toArray(String[]::new),
                  full.stream()
                      .map(r -> Objects.requireNonNull(r.createdAt()).toString())
                      .toArray(String[]::new),
                  full.stream().map(UserRow::deleted).toArray(Boolean[]::new))
              .query((rs, i) -> customer(job, rs))
              .list());
    }
    if (!keyOnly.isEmpty()) {
      changed.addAll(
          jdbc.sql(
                  """
                  update legacy_user set deleted = true
                  where job_id = ? and user_id = any(?) and not deleted
                  returning user_id, customer_id, email, display_name, created_at, deleted""")
              .params(job.id(), keyOnly.toArray(Long[]::new))
              .query((rs, i) -> customer(job, rs))
              .list());
    }
    if (!job.dryRun()) {
      outbox.addAll(
          changed.stream()
              .sorted(Comparator.comparing(LegacyCustomerImportRequested::legacyRef))
              .map(
                  c ->
                      new Outbox.Message(
                          Topics.ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED,
                          c.customerId().toString(),
                          c))
              .toList());
    }
    List<Long> stored = new ArrayList<>(full.stream().map(UserRow::id).toList());
    stored.addAll(keyOnly);
    return stored;
  }

  private static LegacyCustomerImportRequested customer(MigrationJob job, java.sql.ResultSet rs)
      throws java.sql.SQLException {
    return new LegacyCustomerImportRequested(
        job.id(),
        rs.getObject(2, UUID.class),
        LegacyIds.key("users", rs.getLong(1)),
        rs.getString(3),
        rs.getString(4),
        rs.getTimestamp(5).toInstant(),
        rs.getBoolean(6));
  }

  /** An orphan wallet: its ledger account holds its money; its user is nowhere. */
  record Orphan(long walletId, @Nullable Long userId, UUID accountId) {

    Refusal refusal() {
      return new Refusal(
          ORPHAN_USER,
          "user "
              + userId
              + " does not exist: the wallet's money stays in ledger account "
              + accountId
              + "; not imported into account-service until the user appears");
    }
  }

  /**
   * Puts a wallet command on the outbox for each wallet of the job (all of them, or those of {@code
   * walletIds} and of the users {@code userIds}) whose ledger account is open, whose user is known
   * and that was not imported as it is now; answers the orphans among the wallets named (all: every
   * orphan of the job). A dry run imports nothing but reports its orphans all the same.
   */
  List<Orphan> wallets(MigrationJob job, boolean all, List<Long> walletIds, List<Long> userIds) {
    Long[] wallets = walletIds.toArray(Long[]::new);
    if (!job.dryRun()) {
      importDue(job, all, wallets, userIds.toArray(Long[]::new));
    }
    return jdbc.sql(
            """
            select w.wallet_id, w.user_id, w.account_id from legacy_wallet w
            where w.job_id = ? and w.asset is not null and (? or w.wallet_id = any(?))
              and not exists (select 1 from legacy_user u
                              where u.job_id = w.job_id and u.user_id = w.user_id)
            order by w.wallet_id""")
        .params(job.id(), all, wallets)
        .query(
            (rs, i) ->
                new Orphan(rs.getLong(1), (Long) rs.getObject(2), rs.getObject(3, UUID.class)))
        .list();
  }

  /** A wallet whose import command is due, with its legacy key. */
  private record Due(long walletId, LegacyWalletImportRequested command) {}

  private void importDue(MigrationJob job, boolean all, Long[] wallets, Long[] users) {
    List<Due> imported =
        jdbc.sql(
                """
                with due as (
                  select w.wallet_id, u.customer_id from legacy_wallet w
                  join legacy_user u on u.job_id = w.job_id and u.user_id = w.user_id
                  join ledger_account a on a.account_id = w.account_id and a.code = ?
                  where w.job_id = ? and w.asset is not null
                    and (? or w.wallet_id = any(?) or w.user_id = any(?))
                    and (w.imported_customer_id is distinct from u.customer_id
                      or w.imported_deleted is distinct from w.deleted))
                update legacy_wallet w set imported_customer_id = due.customer_id,
                  imported_deleted = w.deleted
                from due where w.job_id = ? and w.wallet_id = due.wallet_id
                returning w.wallet_id, w.account_id, w.imported_customer_id, w.asset, w.deleted""")
            .params(AccountSpec.WALLET_CODE, job.id(), all, wallets, users, job.id())
            .query(
                (rs, i) ->
                    new Due(
                        rs.getLong(1),
                        new LegacyWalletImportRequested(
                            job.id(),
                            rs.getObject(2, UUID.class),
                            rs.getObject(3, UUID.class),
                            rs.getString(4),
                            LegacyIds.key("wallets", rs.getLong(1)),
                            rs.getBoolean(5))))
            .list();
    if (imported.isEmpty()) {
      return;
    }
    // An orphan whose user appeared is one no more.
    jdbc.sql(
            """
            delete from migration_failure where job_id = ? and source_table = 'wallets'
              and reason = ? and source_pk = any(?)""")
        .params(
            job.id(),
            ORPHAN_USER,
            imported.stream().map(w -> String.valueOf(w.walletId())).toArray(String[]::new))
        .update();
    List<Outbox.Message> messages =
        imported.stream()
            .map(Due::command)
            .sorted(Comparator.comparing(LegacyWalletImportRequested::legacyRef))
            .map(
                w ->
                    new Outbox.Message(
                        Topics.ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED,
                        w.customerId().toString(),
                        w))
            .toList();
    // The end of a snapshot imports every wallet at once: one statement per page, not one of
    // 100,000 serialized events.
    for (int from = 0; from < messages.size(); from += OUTBOX_PAGE_MAX) {
      outbox.addAll(messages.subList(from, Math.min(from + OUTBOX_PAGE_MAX, messages.size())));
    }
  }

  /** The most commands put on the outbox with one statement. */
  static final int OUTBOX_PAGE_MAX = 5_000;
}
