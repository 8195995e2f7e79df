package io.tpwallet.account.kyc;

import io.tpwallet.account.access.Access;
import io.tpwallet.account.access.Caller;
import io.tpwallet.account.access.FieldErrors;
import io.tpwallet.account.access.Scopes;
import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.account.customer.Customer;
import io.tpwallet.account.customer.Customers;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.money.Asset;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * KYC verification (through the configured {@link KycProvider}, every step audited) and the tier
 * limits: a payment is authorised against the limits of the payer's tier (and a sub-account's own
 * limits) before it may go ahead.
 */
@Service
public class Kyc {

  public static final URI LIMIT_EXCEEDED = ProblemTypes.of("kyc-limit-exceeded");
  public static final URI TIER_ORDER = ProblemTypes.of("kyc-tier-order");
  public static final int DOCUMENT_LENGTH_MAX = 64;

  private final KycProvider provider;
  private final KycProperties limits;
  private final Customers customers;
  private final Access access;
  private final AuditLog audit;
  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;

  Kyc(
      KycProvider provider,
      KycProperties limits,
      Customers customers,
      Access access,
      AuditLog audit,
      JdbcClient jdbc,
      TransactionTemplate tx,
      Clock clock) {
    this.provider = provider;
    this.limits = limits;
    this.customers = customers;
    this.access = access;
    this.audit = audit;
    this.jdbc = jdbc;
    this.tx = tx;
    this.clock = clock;
  }

  /** Body of a verification request. */
  public record VerificationRequest(
      @Nullable String tier,
      @Nullable String documentType,
      @Nullable String documentNumber,
      @Nullable String fullName) {}

  /** The stored result of one verification. */
  public record Verification(
      UUID id,
      UUID customerId,
      String requested,
      String outcome,
      @Nullable String reason,
      String tierNow) {}

  /** Body of a limit check: the payment about to be made. */
  public record AuthorizationRequest(
      @Nullable String paymentId, @Nullable String amount, @Nullable String asset) {}

  /** A payment within the limits; its amount now counts against today's and this month's total. */
  public record Authorization(
      UUID paymentId,
      String tier,
      String amount,
      String asset,
      String spentToday,
      String perDay,
      String spentThisMonth,
      String perMonth) {}

  public Verification verify(UUID customerId, VerificationRequest body) {
    Caller caller = access.requireOrAdmin(Scopes.ACCOUNTS_WRITE, "kyc.verify");
    Customer customer = customers.visible(caller, customerId, "kyc.verify");
    var errors = new FieldErrors();
    KycTier requested = null;
    if (body.tier() == null || !(body.tier().equals("L1") || body.tier().equals("L2"))) {
      errors.add("tier", "must be L1 or L2");
    } else {
      requested = KycTier.valueOf(body.tier());
    }
    String type = errors.text("documentType", body.documentType(), DOCUMENT_LENGTH_MAX);
    String number = errors.text("documentNumber", body.documentNumber(), DOCUMENT_LENGTH_MAX);
    String name = errors.text("fullName", body.fullName(), Customers.NAME_LENGTH_MAX);
    errors.throwIfAny("Invalid verification request");
    KycTier current = KycTier.valueOf(customer.kycTier());
    if (requested.ordinal() != current.ordinal() + 1) {
      audit.refused(
          caller.subject(),
          "kyc.verify",
          customerId.toString(),
          "requested " + requested + " at " + current);
      throw new ProblemException(
          HttpStatus.CONFLICT,
          TIER_ORDER,
          "Tier out of order",
          "The customer is at "
              + current
              + "; the next tier to verify is "
              + (current == KycTier.L2 ? "none" : KycTier.values()[current.ordinal() + 1])
              + ".");
    }
    KycTier target = requested;
    KycProvider.Decision decision =
        provider.verify(customerId, target, new KycProvider.Evidence(type, number, name));
    UUID id = Ids.newId();
    String tierNow =
        decision.outcome() == KycProvider.Outcome.APPROVED ? target.name() : current.name();
    tx.executeWithoutResult(
        status -> {
          jdbc.sql(
                  "insert into kyc_verification (id, customer_id, requested, provider, outcome,"
                      + " reason, created_at) values (?, ?, ?, ?, ?, ?, ?)")
              .params(
                  id,
                  customerId,
                  target.name(),
                  provider.name(),
                  decision.outcome().name(),
                  decision.reason(),
                  Timestamp.from(clock.instant()))
              .update();
          audit.done(
              caller.subject(),
              "kyc.verify." + decision.outcome().name().toLowerCase(java.util.Locale.ROOT),
              customerId.toString(),
              provider.name() + " " + target);
          if (decision.outcome() == KycProvider.Outcome.APPROVED) {
            customers.setTier(customerId, target.name());
          }
        });
    return new Verification(
        id, customerId, target.name(), decision.outcome().name(), decision.reason(), tierNow);
  }

  /**
   * The limits of the customer's tier (and its own, for a sub-account) and the spend of today and
   * of this month.
   */
  public Map<String, Object> limitsOf(UUID customerId) {
    Caller caller = access.require(Scopes.ACCOUNTS_READ, "kyc.limits");
    Customer customer = customers.visible(caller, customerId, "kyc.limits");
    KycTier tier = KycTier.valueOf(customer.kycTier());
    LocalDate day = today();
    Map<String, Object> perAsset = new LinkedHashMap<>();
    limits
        .of(tier)
        .forEach(
            (asset, limit) ->
                perAsset.put(
                    asset,
                    Map.of(
                        "perTransaction", limit.perTransaction().toString(),
                        "perDay", limit.perDay().toString(),
                        "perMonth", limit.perMonth().toString(),
                        "spentToday", spentSince(customerId, asset, day, day).toString(),
                        "spentThisMonth",
                            spentSince(customerId, asset, day.withDayOfMonth(1), day).toString())));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("customerId", customerId);
    answer.put("tier", tier.name());
    answer.put("limits", perAsset);
    if (customer.limits() != null) {
      answer.put("ownLimits", customer.limits());
    }
    return answer;
  }

  /**
   * Counts a payment against the payer's limits, or refuses it (422 {@code kyc-limit-exceeded},
   * audited). The same payment id again is answered as before and counted once.
   */
  public Authorization authorize(UUID customerId, AuthorizationRequest body) {
    Caller caller = access.require(Scopes.PAYMENTS_WRITE, "kyc.authorize");
    Customer customer = customers.visible(caller, customerId, "kyc.authorize");
    var errors = new FieldErrors();
    UUID paymentId = null;
    try {
      paymentId = body.paymentId() == null ? null : UUID.fromString(body.paymentId());
    } catch (IllegalArgumentException e) {
      // reported below
    }
    if (paymentId == null) {
      errors.add("paymentId", "must be a UUID");
    }
    BigInteger amount = errors.minor("amount", body.amount());
    Asset asset = errors.asset("asset", body.asset());
    errors.throwIfAny("Invalid limit check");
    KycTier tier = KycTier.valueOf(customer.kycTier());
    UUID payment = paymentId;
    return tx.execute(
        status -> {
          // One authorisation per customer at a time: two payments cannot both fit the last room.
          jdbc.sql("select id from customer where id = ? for update")
              .param(customerId)
              .query()
              .listOfRows();
          LocalDate day = today();
          var previous =
              jdbc.sql("select amount_minor, asset from kyc_spend where id = ?")
                  .param(payment)
                  .query((rs, i) -> rs.getBigDecimal(1).toBigIntegerExact() + " " + rs.getString(2))
                  .optional();
          KycProperties.Limit limit = limits.of(tier).get(asset.code());
          BigInteger perTx = limit == null ? BigInteger.ZERO : limit.perTransaction();
          BigInteger perDay = limit == null ? BigInteger.ZERO : limit.perDay();
          BigInteger perMonth = limit == null ? BigInteger.ZERO : limit.perMonth();
          if (customer.limits() != null && customer.limits().asset().equals(asset.code())) {
            perTx = perTx.min(new BigInteger(customer.limits().perTransaction()));
            perDay = perDay.min(new BigInteger(customer.limits().perDay()));
          }
          BigInteger spent = spentSince(customerId, asset.code(), day, day);
          BigInteger spentMonth = spentSince(customerId, asset.code(), day.withDayOfMonth(1), day);
          if (previous.isPresent()) {
            if (!previous.get().equals(amount + " " + asset.code())) {
              throw ProblemException.unprocessable(
                  ProblemTypes.IDEMPOTENCY_KEY_REUSED,
                  "Payment id reused",
                  "This payment id was authorised with another amount.");
            }
            return new Authorization(
                payment,
                tier.name(),
                amount.toString(),
                asset.code(),
                spent.toString(),
                perDay.toString(),
                spentMonth.toString(),
                perMonth.toString());
          }
          String exceeded = exceededLimit(perTx, perDay, perMonth, amount, spent, spentMonth);
          if (exceeded != null) {
            BigInteger which =
                switch (exceeded) {
                  case PER_TRANSACTION -> perTx;
                  case PER_DAY -> perDay;
                  default -> perMonth;
                };
            throw refuse(
                caller, customerId, tier, exceeded, which, amount, asset, spent, spentMonth);
          }
          jdbc.sql(
                  "insert into kyc_spend (id, customer_id, asset, amount_minor, day, created_at)"
                      + " values (?, ?, ?, ?, ?, ?)")
              .params(
                  payment,
                  customerId,
                  asset.code(),
                  new BigDecimal(amount),
                  day,
                  Timestamp.from(clock.instant()))
              .update();
          return new Authorization(
              payment,
              tier.name(),
              amount.toString(),
              asset.code(),
              spent.add(amount).toString(),
              perDay.toString(),
              spentMonth.add(amount).toString(),
              perMonth.toString());
        });
  }

  /**
   * A payment that moved no money no longer counts against its payer's limits. In the caller's
   * transaction; a payment never authorised here releases nothing.
   */
  void release(UUID paymentId) {
    String released =
        jdbc.sql("delete from kyc_spend where id = ? returning customer_id, amount_minor, asset")
            .param(paymentId)
            .query(
                (rs, i) ->
                    rs.getObject(1, UUID.class)
                        + " "
                        + rs.getBigDecimal(2).toBigIntegerExact()
                        + " "
                        + rs.getString(3))
            .optional()
            .orElse(null);
    if (released != null) {
      audit.done("routing-service", "kyc.release", paymentId.toString(), released);
    }
  }

  static final String PER_TRANSACTION = "per-transaction";
  static final String PER_DAY = "per-day";
  static final String PER_MONTH = "per-month";

  /**
   * Which limit a payment of {@code amount} breaks, checked in the order per-transaction, per-day,
   * per-month; {@code null} when it fits all three (a total may reach a limit exactly). Pure, so
   * that it is tested alone.
   */
  static @Nullable String exceededLimit(
      BigInteger perTx,
      BigInteger perDay,
      BigInteger perMonth,
      BigInteger amount,
      BigInteger spentToday,
      BigInteger spentThisMonth) {
    if (amount.compareTo(perTx) > 0) {
      return PER_TRANSACTION;
    }
    if (spentToday.add(amount).compareTo(perDay) > 0) {
      return PER_DAY;
    }
    if (spentThisMonth.add(amount).compareTo(perMonth) > 0) {
      return PER_MONTH;
    }
    return null;
  }

  private ProblemException refuse(
      Caller caller,
      UUID customerId,
      KycTier tier,
      String which,
      BigInteger limit,
      BigInteger amount,
      Asset asset,
      BigInteger spent,
      BigInteger spentMonth) {
    audit.refused(
        caller.subject(),
        "kyc.authorize",
        customerId.toString(),
        which + " limit " + limit + " " + asset.code() + " at " + tier + ", amount " + amount);
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("tier", tier.name());
    properties.put("limit", which);
    properties.put("limitMinor", limit.toString());
    properties.put("amountMinor", amount.toString());
    properties.put("spentTodayMinor", spent.toString());
    properties.put("spentThisMonthMinor", spentMonth.toString());
    properties.put("asset", asset.code());
    String detail =
        limit.signum() == 0
            ? "KYC tier "
                + tier
                + " does not allow payments in "
                + asset.code()
                + "; verify the next tier to raise the limit."
            : "The amount exceeds the "
                + which
                + " limit of KYC tier "
                + tier
                + " ("
                + limit
                + " minor units of "
                + asset.code()
                + "); verify the next tier to raise it.";
    return new ProblemException(
        HttpStatus.UNPROCESSABLE_CONTENT, LIMIT_EXCEEDED, "KYC limit exceeded", detail, properties);
  }

  /** The authorised total of {@code asset} from {@code from} to {@code to}, both included. */
  private BigInteger spentSince(UUID customerId, String asset, LocalDate from, LocalDate to) {
    return jdbc.sql(
            "select coalesce(sum(amount_minor), 0) from kyc_spend where customer_id = ?"
                + " and asset = ? and day between ? and ?")
        .params(customerId, asset, from, to)
        .query(BigDecimal.class)
        .single()
        .toBigIntegerExact();
  }

  private LocalDate today() {
    return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
  }
}
