package io.tpwallet.account.approval;

import com.nimbusds.jwt.JWTClaimsSet;
import io.tpwallet.account.access.Access;
import io.tpwallet.account.access.Caller;
import io.tpwallet.account.access.FieldErrors;
import io.tpwallet.account.access.Scopes;
import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.account.customer.Customer;
import io.tpwallet.account.customer.CustomerKind;
import io.tpwallet.account.customer.Customers;
import io.tpwallet.account.token.TokenIssuer;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.money.Asset;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Approval policies of enterprise wallets: a payment above the policy's threshold, or to a
 * destination off its allowlist, needs M approvals from the enterprise's N approvers; one rejection
 * ends it. The outcome is signed (ES256, {@code typ} approval+jwt, same JWKS as the access tokens)
 * so that a signer node can check it itself before it signs the payment.
 */
@Service
public class Approvals {

  public static final String ATTESTATION_TYPE = "approval+jwt";
  public static final String ATTESTATION_AUDIENCE = "tpw-signer";
  public static final int APPROVERS_MAX = 20;
  public static final int ALLOWLIST_MAX = 100;
  public static final int DESTINATION_LENGTH_MAX = 200;
  public static final URI POLICY_UNREACHABLE = ProblemTypes.of("approval-policy-unreachable");

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final Customers customers;
  private final Access access;
  private final AuditLog audit;
  private final TokenIssuer issuer;
  private final Clock clock;

  Approvals(
      JdbcClient jdbc,
      TransactionTemplate tx,
      Customers customers,
      Access access,
      AuditLog audit,
      TokenIssuer issuer,
      Clock clock) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.customers = customers;
    this.access = access;
    this.audit = audit;
    this.issuer = issuer;
    this.clock = clock;
  }

  public record NewMember(@Nullable String customerId) {}

  public record PolicyRequest(
      @Nullable String asset,
      @Nullable String threshold,
      @Nullable Integer required,
      @Nullable List<String> allowlist) {}

  public record Policy(
      UUID enterpriseId,
      String asset,
      String threshold,
      int required,
      int approvers,
      List<String> allowlist) {}

  public record NewRequest(
      @Nullable String paymentId,
      @Nullable String amount,
      @Nullable String asset,
      @Nullable String destination) {}

  public record Vote(UUID approverId, String decision, Instant at) {}

  public record Request(
      UUID id,
      UUID enterpriseId,
      UUID paymentId,
      String amount,
      String asset,
      String destination,
      int required,
      String status,
      List<Vote> votes,
      @Nullable String attestation) {}

  /** Makes an individual an approver of the enterprise (operations). */
  public void addApprover(UUID enterpriseId, NewMember body) {
    Caller caller = access.require(Scopes.ADMIN_ACCOUNTS, "approval.approver.add");
    enterprise(enterpriseId);
    UUID member = parse(body.customerId());
    if (member == null
        || customers.find(member).map(c -> c.kind() != CustomerKind.INDIVIDUAL).orElse(true)) {
      throw ProblemException.badRequest(
          ProblemTypes.VALIDATION, "Invalid approver", "customerId must name an individual.");
    }
    try {
      tx.executeWithoutResult(
          status -> {
            long n =
                jdbc.sql("select count(*) from enterprise_member where enterprise_id = ?")
                    .param(enterpriseId)
                    .query(Long.class)
                    .single();
            if (n >= APPROVERS_MAX) {
              throw new ProblemException(
                  HttpStatus.CONFLICT,
                  ProblemTypes.CONFLICT,
                  "Too many approvers",
                  "An enterprise has at most " + APPROVERS_MAX + ".");
            }
            jdbc.sql(
                    "insert into enterprise_member (enterprise_id, customer_id, role, created_at)"
                        + " values (?, ?, 'APPROVER', ?)")
                .params(enterpriseId, member, Timestamp.from(clock.instant()))
                .update();
            audit.done(
                caller.subject(),
                "approval.approver.add",
                enterpriseId.toString(),
                member.toString());
          });
    } catch (DuplicateKeyException e) {
      throw new ProblemException(
          HttpStatus.CONFLICT,
          ProblemTypes.CONFLICT,
          "Already an approver",
          "This customer is already an approver of the enterprise.");
    }
  }

  /** Sets the enterprise's policy for one asset (operations). */
  public Policy setPolicy(UUID enterpriseId, PolicyRequest body) {
    Caller caller = access.require(Scopes.ADMIN_ACCOUNTS, "approval.policy.set");
    enterprise(enterpriseId);
    var errors = new FieldErrors();
    Asset asset = errors.asset("asset", body.asset());
    BigInteger threshold = null;
    if ("0".equals(body.threshold())) {
      threshold = BigInteger.ZERO;
    } else {
      threshold = errors.minor("threshold", body.threshold());
    }
    Integer required = body.required();
    if (required == null || required < 1 || required > APPROVERS_MAX) {
      errors.add("required", "must be 1-" + APPROVERS_MAX);
    }
    List<String> allowlist = body.allowlist() == null ? List.of() : body.allowlist();
    if (allowlist.size() > ALLOWLIST_MAX
        || allowlist.stream()
            .anyMatch(
                d ->
                    d == null
                        || d.isBlank()
                        || d.length() > DESTINATION_LENGTH_MAX
                        || d.contains("\n"))) {
      errors.add("allowlist", "must be at most " + ALLOWLIST_MAX + " non-blank destinations");
    }
    errors.throwIfAny("Invalid approval policy");
    int approvers = approverCount(enterpriseId);
    if (required > approvers) {
      throw ProblemException.unprocessable(
          POLICY_UNREACHABLE,
          "Policy unreachable",
          "The policy needs "
              + required
              + " approvals but the enterprise has "
              + approvers
              + " approver(s).");
    }
    BigInteger limit = threshold;
    tx.executeWithoutResult(
        status -> {
          jdbc.sql(
                  """
                  insert into approval_policy (enterprise_id, asset, threshold_minor, required,
                      allowlist, updated_at) values (?, ?, ?, ?, ?, ?)
                  on conflict (enterprise_id, asset) do update set
                      threshold_minor = excluded.threshold_minor, required = excluded.required,
                      allowlist = excluded.allowlist, updated_at = excluded.updated_at""")
              .params(
                  enterpriseId,
                  asset.code(),
                  new BigDecimal(limit),
                  required,
                  String.join("\n", allowlist),
                  Timestamp.from(clock.instant()))
              .update();
          audit.done(
              caller.subject(),
              "approval.policy.set",
              enterpriseId.toString(),
              asset.code() + " above " + limit + " needs " + required + " of " + approvers);
        });
    return new Policy(
        enterpriseId, asset.code(), limit.toString(), required, approvers, List.copyOf(allowlist));
  }

  /**
   * Asks whether a payment of the enterprise may go ahead: NOT_REQUIRED (signed at once) or PENDING
   * until the approvers decide. The same payment id again answers the same request.
   */
  public Request request(UUID enterpriseId, NewRequest body) {
    Caller caller = access.require(Scopes.PAYMENTS_WRITE, "approval.request");
    customers.visible(caller, enterpriseId, "approval.request");
    enterprise(enterpriseId);
    var errors = new FieldErrors();
    UUID paymentId = parse(body.paymentId());
    if (paymentId == null) {
      errors.add("paymentId", "must be a UUID");
    }
    BigInteger amount = errors.minor("amount", body.amount());
    Asset asset = errors.asset("asset", body.asset());
    String destination = errors.text("destination", body.destination(), DESTINATION_LENGTH_MAX);
    errors.throwIfAny("Invalid approval request");
    Optional<Request> existing = byPayment(paymentId);
    if (existing.isPresent()) {
      Request r = existing.get();
      if (!r.enterpriseId().equals(enterpriseId)
          || !r.amount().equals(amount.toString())
          || !r.asset().equals(asset.code())
          || !r.destination().equals(destination)) {
        throw ProblemException.unprocessable(
            ProblemTypes.IDEMPOTENCY_KEY_REUSED,
            "Payment id reused",
            "This payment id was sent for approval with other details.");
      }
      return r;
    }
    var policy =
        jdbc.sql(
                "select threshold_minor, required, allowlist from approval_policy where"
                    + " enterprise_id = ? and asset = ?")
            .params(enterpriseId, asset.code())
            .query(
                (rs, i) ->
                    new Object[] {
                      rs.getBigDecimal(1).toBigIntegerExact(),
                      rs.getInt(2),
                      Set.of(rs.getString(3).split("\n"))
                    })
            .optional();
    boolean needed =
        policy.isPresent()
            && (amount.compareTo((BigInteger) policy.get()[0]) > 0
                || !((Set<?>) policy.get()[2]).contains(destination));
    int required = needed ? (Integer) policy.get()[1] : 0;
    UUID id = Ids.newId();
    Instant now = clock.instant();
    try {
      tx.executeWithoutResult(
          status -> {
            jdbc.sql(
                    "insert into approval_request (id, enterprise_id, payment_id, amount_minor, asset,"
                        + " destination, required, status, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(
                    id,
                    enterpriseId,
                    paymentId,
                    new BigDecimal(amount),
                    asset.code(),
                    destination,
                    required,
                    needed ? "PENDING" : "NOT_REQUIRED",
                    Timestamp.from(now))
                .update();
            if (!needed) {
              decide(id, "NOT_REQUIRED", now);
            }
            audit.done(
                caller.subject(),
                "approval.request",
                id.toString(),
                needed ? "needs " + required : "not required");
          });
    } catch (DuplicateKeyException race) {
      return byPayment(paymentId).orElseThrow();
    }
    return find(id).orElseThrow();
  }

  /** An approver's vote; another enterprise's request answers 404. */
  public Request vote(UUID requestId, boolean approve) {
    Caller caller = access.require(Scopes.ACCOUNTS_WRITE, "approval.vote");
    UUID approver = caller.customerId();
    Request request = find(requestId).orElse(null);
    if (request == null || approver == null || !isApprover(request.enterpriseId(), approver)) {
      audit.refused(caller.subject(), "approval.vote", requestId.toString(), "not an approver");
      throw ProblemException.notFound("No approval request " + requestId + ".");
    }
    Instant now = clock.instant();
    try {
      tx.executeWithoutResult(
          status -> {
            String current =
                jdbc.sql("select status from approval_request where id = ? for update")
                    .param(requestId)
                    .query(String.class)
                    .single();
            if (!current.equals("PENDING")) {
              throw new ProblemException(
                  HttpStatus.CONFLICT,
                  ProblemTypes.CONFLICT,
                  "Decided",
                  "This request is " + current + " already.");
            }
            jdbc.sql(
                    "insert into approval_vote (request_id, approver_id, decision, created_at)"
                        + " values (?, ?, ?, ?)")
                .params(requestId, approver, approve ? "APPROVE" : "REJECT", Timestamp.from(now))
                .update();
            long approvals =
                jdbc.sql(
                        "select count(*) from approval_vote where request_id = ? and"
                            + " decision = 'APPROVE'")
                    .param(requestId)
                    .query(Long.class)
                    .single();
            audit.done(
                caller.subject(),
                approve ? "approval.approve" : "approval.reject",
                requestId.toString(),
                approvals + " of " + request.required());
            if (!approve) {
              decide(requestId, "REJECTED", now);
            } else if (approvals >= request.required()) {
              decide(requestId, "APPROVED", now);
            }
          });
    } catch (DuplicateKeyException twice) {
      throw new ProblemException(
          HttpStatus.CONFLICT, ProblemTypes.CONFLICT, "Already voted", "Each approver votes once.");
    }
    return find(requestId).orElseThrow();
  }

  /** A request, for its enterprise, one of its approvers, or operations. */
  public Request get(UUID requestId) {
    Caller caller = access.require(Scopes.ACCOUNTS_READ, "approval.read");
    Request request = find(requestId).orElse(null);
    UUID acting = caller.customerId();
    boolean visible =
        request != null
            && (caller.isAdmin()
                || request.enterpriseId().equals(acting)
                || (acting != null && isApprover(request.enterpriseId(), acting)));
    if (!visible) {
      audit.refused(caller.subject(), "approval.read", requestId.toString(), "not visible");
      throw ProblemException.notFound("No approval request " + requestId + ".");
    }
    return request;
  }

  /** Marks the outcome and signs it (in the caller's transaction). */
  private void decide(UUID id, String status, Instant now) {
    Request r = find(id).orElseThrow();
    var approvers = new ArrayList<String>();
    r.votes().stream()
        .filter(v -> v.decision().equals("APPROVE"))
        .forEach(v -> approvers.add(v.approverId().toString()));
    var claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer.issuer())
            .audience(ATTESTATION_AUDIENCE)
            .subject(id.toString())
            .claim("enterprise", r.enterpriseId().toString())
            .claim("payment_id", r.paymentId().toString())
            .claim("amount", r.amount())
            .claim("asset", r.asset())
            .claim("destination", r.destination())
            .claim("status", status)
            .claim("required", r.required())
            .claim("approvers", approvers)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(issuer.statementTtl())))
            .jwtID(Ids.newId().toString())
            .build();
    String attestation = status.equals("REJECTED") ? null : issuer.sign(ATTESTATION_TYPE, claims);
    jdbc.sql("update approval_request set status = ?, attestation = ?, decided_at = ? where id = ?")
        .params(status, attestation, Timestamp.from(now), id)
        .update();
  }

  private Optional<Request> find(UUID id) {
    return load("id", id);
  }

  private Optional<Request> byPayment(UUID paymentId) {
    return load("payment_id", paymentId);
  }

  private Optional<Request> load(String column, UUID value) {
    var row =
        jdbc.sql(
                "select id, enterprise_id, payment_id, amount_minor, asset, destination,"
                    + " required, status, attestation from approval_request where "
                    + column
                    + " = ?")
            .param(value)
            .query(
                (rs, i) ->
                    new Request(
                        rs.getObject(1, UUID.class),
                        rs.getObject(2, UUID.class),
                        rs.getObject(3, UUID.class),
                        rs.getBigDecimal(4).toBigIntegerExact().toString(),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getInt(7),
                        rs.getString(8),
                        List.of(),
                        rs.getString(9)))
            .optional();
    return row.map(
        r ->
            new Request(
                r.id(),
                r.enterpriseId(),
                r.paymentId(),
                r.amount(),
                r.asset(),
                r.destination(),
                r.required(),
                r.status(),
                votes(r.id()),
                r.attestation()));
  }

  private List<Vote> votes(UUID requestId) {
    return jdbc.sql(
            "select approver_id, decision, created_at from approval_vote where"
                + " request_id = ? order by created_at")
        .param(requestId)
        .query(
            (rs, i) ->
                new Vote(
                    rs.getObject(1, UUID.class), rs.getString(2), rs.getTimestamp(3).toInstant()))
        .list();
  }

  private boolean isApprover(UUID enterpriseId, UUID customerId) {
    return jdbc.sql(
                "select count(*) from enterprise_member where enterprise_id = ? and"
                    + " customer_id = ? and role = 'APPROVER'")
            .params(enterpriseId, customerId)
            .query(Long.class)
            .single()
        == 1;
  }

  private int approverCount(UUID enterpriseId) {
    return jdbc.sql(
            "select count(*) from enterprise_member where enterprise_id = ? and role ="
                + " 'APPROVER'")
        .param(enterpriseId)
        .query(Long.class)
        .single()
        .intValue();
  }

  private Customer enterprise(UUID id) {
    Customer c =
        customers
            .find(id)
            .orElseThrow(() -> ProblemException.notFound("No enterprise " + id + "."));
    if (c.kind() != CustomerKind.ENTERPRISE) {
      throw ProblemException.unprocessable(
          ProblemTypes.of("not-an-enterprise"),
          "Not an enterprise",
          "Approval policies are for enterprises.");
    }
    return c;
  }

  private static @Nullable UUID parse(@Nullable String value) {
    if (value == null) {
      return null;
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
