package io.tpwallet.account.wallet;

import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.account.audit.ImportRefusals;
import io.tpwallet.account.customer.LegacyCustomers;
import io.tpwallet.common.event.LegacyCutoverRecorded;
import io.tpwallet.common.event.LegacyWalletImportRequested;
import io.tpwallet.common.money.Asset;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Imported legacy wallets: made on migration-service's wallet command with the command's id (the
 * ledger account the migration opened already, so no open command goes to the ledger), MIGRATING
 * until their job's cutover makes them ACTIVE, HELD when they must not become payable ({@link
 * LegacyWalletState}). A wallet command whose customer is not imported yet is parked in {@code
 * legacy_wallet_pending} and imported with the customer. Every method runs in the caller's
 * transaction (the inbox's), so an effect and its inbox row commit together.
 */
@Service
public class LegacyWallets {

  /** The most parked wallets one query takes when their customer arrives (it loops). */
  static final int PENDING_BATCH_MAX = 1_000;

  /** The most wallets one admin page lists. */
  public static final int PAGE_SIZE_MAX = 500;

  /** The first key of the two-key advisory locks on jobs (any constant of this service's own). */
  private static final int JOB_LOCK_SPACE = 0x4A4F4221;

  private static final Logger log = LoggerFactory.getLogger(LegacyWallets.class);
  private static final String ACTOR = LegacyCustomers.ACTOR;

  private final JdbcClient jdbc;
  private final LegacyCustomers customers;
  private final AuditLog audit;
  private final ImportRefusals refusals;
  private final Clock clock;

  LegacyWallets(JdbcClient jdbc, LegacyCustomers customers, AuditLog audit, Clock clock) {
    this.jdbc = jdbc;
    this.customers = customers;
    this.audit = audit;
    this.refusals = new ImportRefusals(audit, ACTOR, "wallet.import", "legacy wallet import");
    this.clock = clock;
  }

  /**
   * Imports (or updates) the command's wallet, or parks it until its customer is imported. Throws
   * {@link IllegalArgumentException} (audited) for a command that can never apply, which the
   * platform's Kafka error handler parks on the dead-letter topic.
   */
  public void importWallet(LegacyWalletImportRequested command) {
    UUID walletId = refusals.required(command.walletId(), "walletId", null);
    UUID jobId = refusals.required(command.jobId(), "jobId", walletId);
    UUID customerId = refusals.required(command.customerId(), "customerId", walletId);
    String legacyRef = refusals.required(command.legacyRef(), "legacyRef", walletId);
    String code = refusals.required(command.asset(), "asset", walletId);
    if (!LegacyCustomers.isLegacyRef(legacyRef)) {
      throw refusals.refuse(walletId, "legacyRef " + legacyRef + " is not legacy:<table>:<key>");
    }
    Asset asset =
        Asset.find(code.strip())
            .orElseThrow(
                () ->
                    refusals.refuse(walletId, "asset " + code + " is not one the platform holds"));
    var wallet =
        new Pending(walletId, customerId, jobId, asset.code(), legacyRef, command.deleted());
    Optional<LegacyCustomers.Holder> holder = customers.holder(customerId);
    if (holder.isEmpty()) {
      park(wallet);
      return;
    }
    if (!holder.get().imported()) {
      throw refusals.refuse(walletId, "customer " + customerId + " is not an imported customer");
    }
    place(wallet, holder.get().deleted());
  }

  /**
   * After the customer's own import: imports the wallets parked for it, in the order they came, and
   * holds its wallets for good when the legacy user is deleted.
   */
  public void holderImported(LegacyCustomers.Holder holder) {
    List<Pending> parked;
    do {
      parked =
          jdbc.sql(
                  "select wallet_id, customer_id, job_id, asset, legacy_ref, deleted"
                      + " from legacy_wallet_pending where customer_id = ?"
                      + " order by parked_at, wallet_id limit ?")
              .params(holder.id(), PENDING_BATCH_MAX)
              .query(
                  (rs, i) ->
                      new Pending(
                          rs.getObject(1, UUID.class),
                          rs.getObject(2, UUID.class),
                          rs.getObject(3, UUID.class),
                          rs.getString(4),
                          rs.getString(5),
                          rs.getBoolean(6)))
              .list();
      for (Pending wallet : parked) {
        jdbc.sql("delete from legacy_wallet_pending where wallet_id = ?")
            .param(wallet.walletId())
            .update();
        place(wallet, holder.deleted());
      }
    } while (parked.size() == PENDING_BATCH_MAX);
    if (holder.deleted()) {
      int held =
          jdbc.sql(
                  "update wallet set status = 'HELD', held_for = ?, reason = 'legacy user deleted',"
                      + " updated_at = ? where customer_id = ? and legacy_ref is not null and "
                      + LegacyWalletState.COUNTED_FOR_ASSET)
              .params(LegacyWalletState.LEGACY_DELETED, now(), holder.id())
              .update();
      if (held > 0) {
        audit.done(
            ACTOR, "wallet.import.hold", holder.id().toString(), held + " legacy user deleted");
      }
    }
  }

  /**
   * Applies a job's cutover record to all its wallets with one statement, after recording it as the
   * job's latest. A record older than the one applied already changes nothing (audited).
   */
  public void applyCutover(LegacyCutoverRecorded cutover) {
    UUID jobId = refusals.required(cutover.jobId(), "jobId", null);
    Instant recordedAt = refusals.required(cutover.recordedAt(), "recordedAt", jobId);
    List<UUID> held = refusals.required(cutover.walletsHeld(), "walletsHeld", jobId);
    lockJob(jobId, false);
    Optional<Recorded> last = recorded(jobId, null);
    if (last.isPresent() && recordedAt.isBefore(last.get().recordedAt())) {
      audit.refused(
          ACTOR,
          "wallet.cutover",
          jobId.toString(),
          cutover.status()
              + " of "
              + recordedAt
              + " is older than the "
              + last.get().status()
              + " of "
              + last.get().recordedAt());
      return;
    }
    String[] heldIds = held.stream().map(UUID::toString).distinct().toArray(String[]::new);
    jdbc.sql(
            "insert into legacy_cutover (job_id, status, wallets_held, recorded_at, applied_at)"
                + " values (?, ?, ?::uuid[], ?, ?) on conflict (job_id) do update set status ="
                + " excluded.status, wallets_held = excluded.wallets_held, recorded_at ="
                + " excluded.recorded_at, applied_at = excluded.applied_at")
        .params(jobId, cutover.status(), heldIds, Timestamp.from(recordedAt), now())
        .update();
    int changed;
    if (LegacyCutoverRecorded.SWITCHED.equals(cutover.status())) {
      // LegacyWalletState.ofCutover, set-based: MIGRATING, ACTIVE and overdrawn-held wallets of
      // the job become ACTIVE, or HELD when listed; wallets held for good stay as they are.
      changed =
          jdbc.sql(
                  "update wallet w set status = s.status, held_for = s.held_for, reason ="
                      + " s.reason, updated_at = ? from (select t.id, case when h.id is null then"
                      + " 'ACTIVE' else 'HELD' end as status, case when h.id is null then null"
                      + " else ? end as held_for, case when h.id is null then null else ? end as"
                      + " reason from wallet t left join (select distinct unnest(?::uuid[]) as id)"
                      + " h on h.id = t.id where t.migration_job_id = ?"
                      + " and (t.held_for is null or t.held_for = ?)"
                      + ") s where w.id = s.id and w.status <> s.status")
              .params(
                  now(),
                  LegacyWalletState.CUTOVER_OVERDRAWN,
                  LegacyWalletState.OVERDRAWN_AT_CUTOVER,
                  heldIds,
                  jobId,
                  LegacyWalletState.CUTOVER_OVERDRAWN)
              .update();
    } else {
      changed =
          jdbc.sql(
                  "update wallet set status = 'MIGRATING', updated_at = ?"
                      + " where migration_job_id = ? and status = 'ACTIVE'")
              .params(now(), jobId)
              .update();
    }
    Summary summary = summary(jobId);
    long unknownHeld =
        heldIds.length == 0
            ? 0
            : jdbc.sql(
                    "select count(*) from unnest(?::uuid[]) as h(id) where not exists (select 1"
                        + " from wallet w where w.id = h.id and w.migration_job_id = ?)")
                .params(heldIds, jobId)
                .query(Long.class)
                .single();
    String detail =
        cutover.status()
            + " of "
            + recordedAt
            + ": "
            + changed
            + " changed, now "
            + summary.wallets()
            + ", "
            + summary.waitingForCustomer()
            + " waiting for their customer, "
            + unknownHeld
            + " listed held not imported";
    log.info("Cutover of job {}: {}", jobId, detail);
    audit.done(ACTOR, "wallet.cutover", jobId.toString(), detail);
  }

  /** How a job's imported wallets stand. */
  public record Summary(
      UUID jobId,
      @Nullable String cutover,
      @Nullable Instant cutoverRecordedAt,
      Map<String, Long> wallets,
      long waitingForCustomer) {}

  public Summary summary(UUID jobId) {
    Map<String, Long> wallets = new LinkedHashMap<>();
    for (String status : List.of(Wallet.MIGRATING, Wallet.ACTIVE, Wallet.HELD)) {
      wallets.put(status, 0L);
    }
    jdbc.sql(
            "select status, count(*) from wallet where migration_job_id = ? group by status"
                + " order by status")
        .param(jobId)
        .query((rs, i) -> Map.entry(rs.getString(1), rs.getLong(2)))
        .list()
        .forEach(e -> wallets.put(e.getKey(), e.getValue()));
    long waiting =
        jdbc.sql("select count(*) from legacy_wallet_pending where job_id = ?")
            .param(jobId)
            .query(Long.class)
            .single();
    Optional<Recorded> cutover = recorded(jobId, null);
    return new Summary(
        jobId,
        cutover.map(Recorded::status).orElse(null),
        cutover.map(Recorded::recordedAt).orElse(null),
        wallets,
        waiting);
  }

  /** An imported wallet as operations see it: with its job's hold code. */
  public record Imported(
      UUID id,
      UUID customerId,
      String asset,
      String status,
      @Nullable String heldFor,
      @Nullable String reason,
      String legacyRef,
      Instant updatedAt) {}

  /**
   * One page of a job's imported wallets of one status (or all), in wallet id order after {@code
   * after} (keyset: stable while wallets change status elsewhere in the list).
   */
  public List<Imported> page(UUID jobId, @Nullable String status, @Nullable UUID after, int size) {
    if (size < 1 || size > PAGE_SIZE_MAX) {
      throw new IllegalArgumentException("page size " + size);
    }
    return jdbc.sql(
            "select id, customer_id, asset, status, held_for, reason, legacy_ref, updated_at"
                + " from wallet where migration_job_id = ?"
                + " and (cast(? as text) is null or status = ?)"
                + " and (cast(? as uuid) is null or id > ?) order by id limit ?")
        .params(jobId, status, status, after, after, size)
        .query(
            (rs, i) ->
                new Imported(
                    rs.getObject(1, UUID.class),
                    rs.getObject(2, UUID.class),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getString(6),
                    rs.getString(7),
                    rs.getTimestamp(8).toInstant()))
        .list();
  }

  /** A wallet command kept until its customer is imported (or one being imported). */
  private record Pending(
      UUID walletId,
      UUID customerId,
      UUID jobId,
      String asset,
      String legacyRef,
      boolean deleted) {}

  /** A job's latest cutover record; {@code held}: it lists the wallet asked about. */
  private record Recorded(String status, boolean held, Instant recordedAt) {}

  private record Row(
      UUID customerId, String asset, String legacyRef, UUID jobId, LegacyWalletState state) {}

  private void park(Pending wallet) {
    jdbc.sql(
            "insert into legacy_wallet_pending (wallet_id, customer_id, job_id, asset,"
                + " legacy_ref, deleted, parked_at) values (?, ?, ?, ?, ?, ?, ?)"
                + " on conflict (wallet_id) do update set customer_id = excluded.customer_id,"
                + " job_id = excluded.job_id, asset = excluded.asset, legacy_ref ="
                + " excluded.legacy_ref, deleted = excluded.deleted")
        .params(
            wallet.walletId(),
            wallet.customerId(),
            wallet.jobId(),
            wallet.asset(),
            wallet.legacyRef(),
            wallet.deleted(),
            now())
        .update();
    audit.done(
        ACTOR,
        "wallet.import.parked",
        wallet.walletId().toString(),
        "customer " + wallet.customerId() + " not imported yet");
  }

  private void place(Pending wallet, boolean holderDeleted) {
    UUID id = wallet.walletId();
    lockJob(wallet.jobId(), true);
    LegacyWalletState.Cutover cutover =
        recorded(wallet.jobId(), id)
            .map(r -> new LegacyWalletState.Cutover(r.status(), r.held() ? Set.of(id) : Set.of()))
            .orElse(null);
    Optional<UUID> sameRef =
        jdbc.sql("select id from wallet where migration_job_id = ? and legacy_ref = ? and id <> ?")
            .params(wallet.jobId(), wallet.legacyRef(), id)
            .query(UUID.class)
            .optional();
    if (sameRef.isPresent()) {
      throw refusals.refuse(
          id,
          "job "
              + wallet.jobId()
              + " imported "
              + wallet.legacyRef()
              + " already as "
              + sameRef.get());
    }
    Optional<Row> existing = row(id);
    if (existing.isPresent()) {
      Row row = existing.get();
      if (!row.legacyRef().equals(wallet.legacyRef())
          || !row.customerId().equals(wallet.customerId())
          || !row.asset().equals(wallet.asset())) {
        throw refusals.refuse(
            id,
            "imported as "
                + row.legacyRef()
                + " of "
                + row.customerId()
                + " in "
                + row.asset()
                + ", not "
                + wallet.legacyRef()
                + " of "
                + wallet.customerId()
                + " in "
                + wallet.asset());
      }
      LegacyWalletState next =
          LegacyWalletState.of(
              id, row.state(), wallet.deleted(), holderDeleted, null, wallet.asset(), cutover);
      if (next.equals(row.state()) && row.jobId().equals(wallet.jobId())) {
        return;
      }
      jdbc.sql(
              "update wallet set status = ?, held_for = ?, reason = ?, migration_job_id = ?,"
                  + " updated_at = ? where id = ?")
          .params(next.status(), next.heldFor(), next.reason(), wallet.jobId(), now(), id)
          .update();
      audit.done(ACTOR, "wallet.import.update", id.toString(), describe(wallet, next));
      return;
    }
    if (jdbc.sql("select count(*) from wallet where id = ?").param(id).query(Long.class).single()
        > 0) {
      throw refusals.refuse(id, "the id is a platform wallet's, not an imported one");
    }
    UUID duplicateOf =
        jdbc.sql(
                "select id from wallet where customer_id = ? and asset = ? and "
                    + LegacyWalletState.COUNTED_FOR_ASSET)
            .params(wallet.customerId(), wallet.asset())
            .query(UUID.class)
            .optional()
            .orElse(null);
    LegacyWalletState state =
        LegacyWalletState.of(
            id, null, wallet.deleted(), holderDeleted, duplicateOf, wallet.asset(), cutover);
    Timestamp now = now();
    jdbc.sql(
            "insert into wallet (id, customer_id, asset, status, held_for, reason, created_at,"
                + " updated_at, legacy_ref, migration_job_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?)")
        .params(
            id,
            wallet.customerId(),
            wallet.asset(),
            state.status(),
            state.heldFor(),
            state.reason(),
            now,
            now,
            wallet.legacyRef(),
            wallet.jobId())
        .update();
    audit.done(ACTOR, "wallet.import", id.toString(), describe(wallet, state));
  }

  /**
   * Orders a job's cutover against imports of its wallets: an import holds the job's lock shared, a
   * cutover exclusively, until its transaction ends. Otherwise a wallet imported while the cutover
   * ran would miss it (each transaction blind to the other's uncommitted row) and stay MIGRATING
   * after SWITCHED.
   */
  private void lockJob(UUID jobId, boolean shared) {
    jdbc.sql(
            "select "
                + (shared ? "pg_advisory_xact_lock_shared" : "pg_advisory_xact_lock")
                + "(?, hashtext(?))")
        .params(JOB_LOCK_SPACE, jobId.toString())
        .query()
        .listOfRows();
  }

  private Optional<Row> row(UUID id) {
    return jdbc.sql(
            "select customer_id, asset, legacy_ref, migration_job_id, status, held_for, reason"
                + " from wallet where id = ? and legacy_ref is not null")
        .param(id)
        .query(
            (rs, i) ->
                new Row(
                    rs.getObject(1, UUID.class),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getObject(4, UUID.class),
                    new LegacyWalletState(rs.getString(5), rs.getString(6), rs.getString(7))))
        .optional();
  }

  private Optional<Recorded> recorded(UUID jobId, @Nullable UUID walletId) {
    return jdbc.sql(
            "select status, coalesce(cast(? as uuid) = any(wallets_held), false), recorded_at"
                + " from legacy_cutover where job_id = ?")
        .params(walletId, jobId)
        .query(
            (rs, i) ->
                new Recorded(rs.getString(1), rs.getBoolean(2), rs.getTimestamp(3).toInstant()))
        .optional();
  }

  private static String describe(Pending wallet, LegacyWalletState state) {
    return wallet.legacyRef()
        + " job "
        + wallet.jobId()
        + ": "
        + state.status()
        + (state.reason() == null ? "" : " (" + state.reason() + ")");
  }

  private Timestamp now() {
    return Timestamp.from(clock.instant());
  }
}
