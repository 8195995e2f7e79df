package io.tpwallet.account.recovery;

import io.tpwallet.account.access.Access;
import io.tpwallet.account.access.Caller;
import io.tpwallet.account.access.FieldErrors;
import io.tpwallet.account.access.Scopes;
import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.account.customer.Customer;
import io.tpwallet.account.customer.CustomerKind;
import io.tpwallet.account.customer.Customers;
import io.tpwallet.account.device.Sessions;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Social recovery of a login, as a state machine: REQUESTED (anyone who knows the e-mail asks, with
 * the new password) → APPROVED (M of the owner's N guardians approved) → after the delay COMPLETED
 * (the requester, with the token it got, sets the new password; every session and device of the
 * customer ends) — or CANCELLED by the owner while REQUESTED or APPROVED. Each step notifies the
 * owner (and the guardians), so that an owner who still has a device sees a recovery it did not ask
 * for and cancels it within the delay. Every step and refusal is audited.
 */
@Service
public class Recoveries {

  public static final int GUARDIANS_MAX = 10;
  public static final URI STATE = ProblemTypes.of("recovery-state");
  public static final URI TOO_EARLY = ProblemTypes.of("recovery-too-early");
  public static final URI NOT_SET_UP = ProblemTypes.of("recovery-not-set-up");
  public static final URI UNREACHABLE = ProblemTypes.of("recovery-policy-unreachable");
  public static final URI INVALID_TOKEN = ProblemTypes.of("invalid-recovery-token");

  static final String REQUESTED = "REQUESTED";
  static final String APPROVED = "APPROVED";
  static final String COMPLETED = "COMPLETED";
  static final String CANCELLED = "CANCELLED";

  private static final String COLUMNS =
      "id, customer_id, status, required, created_at, approved_at, completes_after, finished_at";

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final Access access;
  private final AuditLog audit;
  private final Customers customers;
  private final Sessions sessions;
  private final Notifications notifications;
  private final Clock clock;
  private final Duration delay;
  private final SecureRandom random = new SecureRandom();

  Recoveries(
      JdbcClient jdbc,
      TransactionTemplate tx,
      Access access,
      AuditLog audit,
      Customers customers,
      Sessions sessions,
      Notifications notifications,
      Clock clock,
      @Value("${tpw.account.recovery.delay:48h}") Duration delay) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.access = access;
    this.audit = audit;
    this.customers = customers;
    this.sessions = sessions;
    this.notifications = notifications;
    this.clock = clock;
    this.delay = delay;
  }

  public record NewGuardian(@Nullable String guardianId) {}

  public record Policy(@Nullable Integer required) {}

  public record Guardians(UUID customerId, int required, List<UUID> guardians) {}

  public record NewRecovery(@Nullable String email, @Nullable String newPassword) {}

  public record Completion(@Nullable String recoveryToken) {}

  /**
   * A recovery as its parties see it; {@code recoveryToken} only in the answer to the request.
   *
   * @param approvals ids of the guardians who approved
   */
  public record Recovery(
      UUID id,
      UUID customerId,
      String status,
      int required,
      List<UUID> approvals,
      Instant createdAt,
      @Nullable Instant approvedAt,
      @Nullable Instant completesAfter,
      @Nullable Instant finishedAt,
      @Nullable String recoveryToken) {

    Recovery withToken(String token) {
      return new Recovery(
          id,
          customerId,
          status,
          required,
          approvals,
          createdAt,
          approvedAt,
          completesAfter,
          finishedAt,
          token);
    }
  }

  // ---------------------------------------------------------------- guardians and policy

  /** The owner names another individual as a guardian (at most {@link #GUARDIANS_MAX}). */
  public Guardians addGuardian(UUID customerId, NewGuardian body) {
    Caller caller = owner(customerId, "recovery.guardian-add");
    var errors = new FieldErrors();
    UUID guardian = uuid(errors, "guardianId", body.guardianId());
    errors.throwIfAny("Invalid guardian");
    Optional<Customer> found = customers.find(guardian);
    if (found.isEmpty()
        || found.get().kind() != CustomerKind.INDIVIDUAL
        || guardian.equals(customerId)) {
      throw ProblemException.unprocessable(
          ProblemTypes.of("not-a-guardian-candidate"),
          "Not a possible guardian",
          "A guardian is another individual customer of the platform.");
    }
    tx.executeWithoutResult(
        status -> {
          if (guardiansOf(customerId).size() >= GUARDIANS_MAX) {
            throw ProblemException.unprocessable(
                ProblemTypes.of("too-many-guardians"),
                "Too many guardians",
                "A customer has at most " + GUARDIANS_MAX + " guardians.");
          }
          int added =
              jdbc.sql(
                      "insert into recovery_guardian (customer_id, guardian_id, created_at)"
                          + " values (?, ?, ?) on conflict do nothing")
                  .params(customerId, guardian, Timestamp.from(clock.instant()))
                  .update();
          if (added == 0) {
            throw new ProblemException(
                HttpStatus.CONFLICT,
                ProblemTypes.CONFLICT,
                "Already a guardian",
                "This customer is a guardian already.");
          }
          audit.done(
              caller.subject(),
              "recovery.guardian-add",
              customerId.toString(),
              guardian.toString());
          notifications.notify(
              guardian,
              "recovery.guardian-added",
              customerId,
              "You are now a recovery guardian of customer " + customerId + ".");
        });
    return guardians(customerId);
  }

  /** M of the N guardians must approve a recovery; M above N could never be reached (422). */
  public Guardians setPolicy(UUID customerId, Policy body) {
    Caller caller = owner(customerId, "recovery.policy");
    Integer required = body.required();
    if (required == null || required < 1 || required > GUARDIANS_MAX) {
      var errors = new FieldErrors();
      errors.add("required", "must be 1-" + GUARDIANS_MAX);
      errors.throwIfAny("Invalid recovery policy");
    }
    int n = guardiansOf(customerId).size();
    if (required > n) {
      throw ProblemException.unprocessable(
          UNREACHABLE,
          "Policy unreachable",
          required + " approvals are required but the customer has " + n + " guardian(s).");
    }
    tx.executeWithoutResult(
        status -> {
          jdbc.sql(
                  "insert into recovery_policy (customer_id, required, updated_at) values (?, ?, ?)"
                      + " on conflict (customer_id) do update set required = excluded.required,"
                      + " updated_at = excluded.updated_at")
              .params(customerId, required, Timestamp.from(clock.instant()))
              .update();
          audit.done(
              caller.subject(), "recovery.policy", customerId.toString(), required + " of " + n);
        });
    return guardians(customerId);
  }

  public Guardians guardiansView(UUID customerId) {
    Caller caller = access.require(Scopes.ACCOUNTS_READ, "recovery.guardians");
    customers.visible(caller, customerId, "recovery.guardians");
    return guardians(customerId);
  }

  // ---------------------------------------------------------------- the state machine

  /**
   * Starts a recovery (public: the requester has lost its login). Needs a policy with enough
   * guardians and no other open recovery. The new password is checked and hashed now; the answer's
   * {@code recoveryToken} is what completes the recovery once approved and the delay has passed.
   */
  public Recovery request(NewRecovery body) {
    var errors = new FieldErrors();
    String email = errors.email("email", body.email());
    String password = body.newPassword();
    String passwordProblem = Customers.passwordProblem(password);
    if (passwordProblem != null) {
      errors.add("newPassword", passwordProblem);
    }
    errors.throwIfAny("Invalid recovery request");
    UUID customerId =
        customers
            .idByEmail(Objects.requireNonNull(email))
            .orElseThrow(() -> ProblemException.notFound("No customer with this e-mail."));
    int required =
        jdbc.sql("select required from recovery_policy where customer_id = ?")
            .param(customerId)
            .query(Integer.class)
            .optional()
            .orElse(0);
    List<UUID> guardians = guardiansOf(customerId);
    if (required == 0 || guardians.size() < required) {
      audit.refused("anonymous", "recovery.request", customerId.toString(), "no recovery policy");
      throw ProblemException.unprocessable(
          NOT_SET_UP,
          "Recovery not set up",
          "This customer has no guardians who could approve a recovery.");
    }
    String hash = customers.hashPassword(Objects.requireNonNull(password));
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    UUID id = Ids.newId();
    try {
      tx.executeWithoutResult(
          status -> {
            jdbc.sql(
                    "insert into recovery_request (id, customer_id, status, required,"
                        + " new_password_hash, token_sha256, created_at) values (?, ?, 'REQUESTED',"
                        + " ?, ?, ?, ?)")
                .params(
                    id, customerId, required, hash, sha256(token), Timestamp.from(clock.instant()))
                .update();
            audit.done("anonymous", "recovery.request", customerId.toString(), id.toString());
            notifications.notify(
                customerId,
                "recovery.requested",
                id,
                "A recovery of your login was requested. If it was not you, cancel it.");
            for (UUID guardian : guardians) {
              notifications.notify(
                  guardian,
                  "recovery.approval-asked",
                  id,
                  "Customer " + customerId + " asks you to approve the recovery of its login.");
            }
          });
    } catch (DuplicateKeyException open) {
      throw state("A recovery of this customer is already open.");
    }
    return find(id).orElseThrow().withToken(token);
  }

  /** One guardian's approval; the M-th makes it APPROVED and starts the delay. */
  public Recovery approve(UUID id) {
    Caller caller = access.require(Scopes.ACCOUNTS_WRITE, "recovery.approve");
    UUID guardian = caller.customerId();
    return Objects.requireNonNull(
        tx.execute(
            status -> {
              Recovery r = locked(id);
              if (guardian == null || !guardiansOf(r.customerId()).contains(guardian)) {
                audit.refused(
                    caller.subject(), "recovery.approve", id.toString(), "not a guardian");
                throw ProblemException.notFound("No recovery " + id + " is visible to the caller.");
              }
              if (!r.status().equals(REQUESTED)) {
                audit.refused(caller.subject(), "recovery.approve", id.toString(), r.status());
                throw state("The recovery is " + r.status() + "; it takes no more approvals.");
              }
              int added =
                  jdbc.sql(
                          "insert into recovery_approval (request_id, guardian_id, created_at)"
                              + " values (?, ?, ?) on conflict do nothing")
                      .params(id, guardian, Timestamp.from(clock.instant()))
                      .update();
              if (added == 0) {
                audit.refused(
                    caller.subject(), "recovery.approve", id.toString(), "approved before");
                throw state("This guardian has approved this recovery already.");
              }
              audit.done(caller.subject(), "recovery.approve", id.toString(), null);
              notifications.notify(
                  r.customerId(),
                  "recovery.approved-by-guardian",
                  id,
                  "Guardian " + guardian + " approved the recovery of your login.");
              if (r.approvals().size() + 1 >= r.required()) {
                Instant now = clock.instant();
                Instant after = now.plus(delay);
                jdbc.sql(
                        "update recovery_request set status = 'APPROVED', approved_at = ?,"
                            + " completes_after = ? where id = ?")
                    .params(Timestamp.from(now), Timestamp.from(after), id)
                    .update();
                notifications.notify(
                    r.customerId(),
                    "recovery.approved",
                    id,
                    "Your guardians approved the recovery of your login; it can complete after "
                        + after
                        + ". If it was not you, cancel it before then.");
              }
              return find(id).orElseThrow();
            }));
  }

  /** The owner (still logged in somewhere) cancels a recovery while it is not completed. */
  public Recovery cancel(UUID id) {
    Caller caller = access.require(Scopes.ACCOUNTS_WRITE, "recovery.cancel");
    return Objects.requireNonNull(
        tx.execute(
            status -> {
              Recovery r = locked(id);
              if (!r.customerId().equals(caller.customerId()) && !caller.isAdmin()) {
                audit.refused(caller.subject(), "recovery.cancel", id.toString(), "not the owner");
                throw ProblemException.notFound("No recovery " + id + " is visible to the caller.");
              }
              if (!(r.status().equals(REQUESTED) || r.status().equals(APPROVED))) {
                throw state("The recovery is " + r.status() + "; it cannot be cancelled.");
              }
              finish(id, CANCELLED);
              audit.done(caller.subject(), "recovery.cancel", id.toString(), r.status());
              notifyAll(r, "recovery.cancelled", "The recovery of the login was cancelled.");
              return find(id).orElseThrow();
            }));
  }

  /**
   * The requester completes an APPROVED recovery once the delay has passed: the new password
   * replaces the old one and every session and device of the customer ends.
   */
  public Recovery complete(UUID id, Completion body) {
    String token = body.recoveryToken();
    return Objects.requireNonNull(
        tx.execute(
            status -> {
              Optional<Recovery> found = lockedIfAny(id);
              byte[] stored =
                  found.isEmpty()
                      ? null
                      : jdbc.sql("select token_sha256 from recovery_request where id = ?")
                          .param(id)
                          .query(byte[].class)
                          .single();
              if (token == null
                  || stored == null
                  || !MessageDigest.isEqual(stored, sha256(token))) {
                audit.refused("anonymous", "recovery.complete", id.toString(), "bad token");
                throw new ProblemException(
                    HttpStatus.UNAUTHORIZED,
                    INVALID_TOKEN,
                    "Invalid recovery token",
                    "The recovery token does not match this recovery.");
              }
              Recovery r = found.get();
              if (!r.status().equals(APPROVED)) {
                audit.refused("anonymous", "recovery.complete", id.toString(), r.status());
                throw state("The recovery is " + r.status() + "; only an approved one completes.");
              }
              Instant now = clock.instant();
              Instant after = Objects.requireNonNull(r.completesAfter());
              if (now.isBefore(after)) {
                audit.refused("anonymous", "recovery.complete", id.toString(), "before " + after);
                throw new ProblemException(
                    HttpStatus.CONFLICT,
                    TOO_EARLY,
                    "Too early",
                    "The recovery completes after " + after + ".",
                    Map.of("completesAfter", after.toString()));
              }
              String hash =
                  jdbc.sql("select new_password_hash from recovery_request where id = ?")
                      .param(id)
                      .query(String.class)
                      .single();
              customers.replacePasswordHash(r.customerId(), hash);
              sessions.endEverything(r.customerId(), "recovery " + id, "login recovered");
              finish(id, COMPLETED);
              audit.done(
                  "anonymous", "recovery.complete", id.toString(), r.customerId().toString());
              notifyAll(
                  r,
                  "recovery.completed",
                  "The login was recovered: a new password is set and every device was signed out.");
              return find(id).orElseThrow();
            }));
  }

  /** The recovery, for its owner, its guardians and operations; anyone else 404. */
  public Recovery get(UUID id) {
    Caller caller = access.require(Scopes.ACCOUNTS_READ, "recovery.read");
    Optional<Recovery> r = find(id);
    UUID acting = caller.customerId();
    if (r.isPresent()
        && (caller.isAdmin()
            || r.get().customerId().equals(acting)
            || (acting != null && guardiansOf(r.get().customerId()).contains(acting)))) {
      return r.get();
    }
    audit.refused(caller.subject(), "recovery.read", id.toString(), "not a party");
    throw ProblemException.notFound("No recovery " + id + " is visible to the caller.");
  }

  // ---------------------------------------------------------------- helpers

  private Caller owner(UUID customerId, String action) {
    Caller caller = access.require(Scopes.ACCOUNTS_WRITE, action);
    customers.visible(caller, customerId, action);
    return caller;
  }

  private Guardians guardians(UUID customerId) {
    int required =
        jdbc.sql("select required from recovery_policy where customer_id = ?")
            .param(customerId)
            .query(Integer.class)
            .optional()
            .orElse(0);
    return new Guardians(customerId, required, guardiansOf(customerId));
  }

  private List<UUID> guardiansOf(UUID customerId) {
    return jdbc.sql(
            "select guardian_id from recovery_guardian where customer_id = ? order by guardian_id")
        .param(customerId)
        .query(UUID.class)
        .list();
  }

  private void finish(UUID id, String status) {
    jdbc.sql("update recovery_request set status = ?, finished_at = ? where id = ?")
        .params(status, Timestamp.from(clock.instant()), id)
        .update();
  }

  private void notifyAll(Recovery r, String kind, String message) {
    notifications.notify(r.customerId(), kind, r.id(), message);
    for (UUID guardian : guardiansOf(r.customerId())) {
      notifications.notify(guardian, kind, r.id(), message + " (customer " + r.customerId() + ")");
    }
  }

  private Recovery locked(UUID id) {
    return lockedIfAny(id)
        .orElseThrow(
            () -> ProblemException.notFound("No recovery " + id + " is visible to the caller."));
  }

  private Optional<Recovery> lockedIfAny(UUID id) {
    jdbc.sql("select id from recovery_request where id = ? for update")
        .param(id)
        .query()
        .listOfRows();
    return find(id);
  }

  private Optional<Recovery> find(UUID id) {
    List<UUID> approvals =
        jdbc.sql(
                "select guardian_id from recovery_approval where request_id = ? order by created_at,"
                    + " guardian_id")
            .param(id)
            .query(UUID.class)
            .list();
    return jdbc.sql("select " + COLUMNS + " from recovery_request where id = ?")
        .param(id)
        .query((rs, i) -> map(rs, approvals))
        .optional();
  }

  private static Recovery map(ResultSet rs, List<UUID> approvals) throws SQLException {
    return new Recovery(
        rs.getObject("id", UUID.class),
        rs.getObject("customer_id", UUID.class),
        rs.getString("status"),
        rs.getInt("required"),
        approvals,
        rs.getTimestamp("created_at").toInstant(),
        instant(rs, "approved_at"),
        instant(rs, "completes_after"),
        instant(rs, "finished_at"),
        null);
  }

  private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  private static ProblemException state(String detail) {
    return new ProblemException(HttpStatus.CONFLICT, STATE, "Recovery state", detail);
  }

  private static UUID uuid(FieldErrors errors, String field, @Nullable String value) {
    try {
      if (value != null) {
        return UUID.fromString(value);
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    errors.add(field, "must be a UUID");
    return new UUID(0, 0);
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
