package io.tpwallet.account.webhook;

import io.tpwallet.account.access.Access;
import io.tpwallet.account.access.Caller;
import io.tpwallet.account.access.FieldErrors;
import io.tpwallet.account.access.Scopes;
import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.account.customer.Customer;
import io.tpwallet.account.customer.CustomerKind;
import io.tpwallet.account.customer.Customers;
import io.tpwallet.account.wallet.Wallets;
import io.tpwallet.common.event.PaymentFinished;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Merchants' webhook subscriptions and their deliveries: a payment's final status (consumed from
 * routing-service's events) becomes one delivery per subscription of each merchant whose wallet
 * paid or was paid, which {@link WebhookDispatcher} sends; the delivery log and replay.
 */
@Service
public class Webhooks {

  public static final int URL_LENGTH_MAX = 2048;
  public static final int SUBSCRIPTIONS_PER_MERCHANT_MAX = 10;
  public static final int DELIVERIES_PAGE_MAX = 100;

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final Access access;
  private final AuditLog audit;
  private final Customers customers;
  private final Wallets wallets;
  private final WebhookSecrets secrets;
  private final WebhookProperties properties;
  private final JsonMapper json;
  private final Clock clock;

  Webhooks(
      JdbcClient jdbc,
      TransactionTemplate tx,
      Access access,
      AuditLog audit,
      Customers customers,
      Wallets wallets,
      WebhookSecrets secrets,
      WebhookProperties properties,
      JsonMapper json,
      Clock clock) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.access = access;
    this.audit = audit;
    this.customers = customers;
    this.wallets = wallets;
    this.secrets = secrets;
    this.properties = properties;
    this.json = json;
    this.clock = clock;
  }

  /** Body of a new subscription. */
  public record NewSubscription(@Nullable String url) {}

  /** A subscription; {@code secret} only in the answer that made it, never again. */
  public record Subscription(
      UUID id, UUID merchantId, String url, @Nullable String secret, Instant createdAt) {}

  /** One attempt of a delivery, as the delivery log shows it. */
  public record Attempt(
      int attempt,
      Instant at,
      @Nullable Integer httpStatus,
      @Nullable String error,
      long durationMs) {}

  /** A delivery: the event, where it is, and its attempts. */
  public record Delivery(
      UUID id,
      UUID subscriptionId,
      UUID eventId,
      String eventType,
      String status,
      int attempts,
      Instant nextAttemptAt,
      @Nullable Instant deliveredAt,
      List<Attempt> log) {}

  /**
   * Subscribes a merchant's URL (https, or http to a private address only where allowed) and makes
   * its signing secret, shown once in the answer.
   */
  public Subscription subscribe(UUID merchantId, NewSubscription body) {
    Caller caller = access.requireOrAdmin(Scopes.ACCOUNTS_WRITE, "webhook.subscribe");
    Customer merchant = customers.visible(caller, merchantId, "webhook.subscribe");
    if (merchant.kind() != CustomerKind.MERCHANT) {
      throw ProblemException.unprocessable(
          ProblemTypes.of("not-a-merchant"), "Not a merchant", "Only merchants have webhooks.");
    }
    var errors = new FieldErrors();
    String url = errors.text("url", body.url(), URL_LENGTH_MAX);
    if (url != null) {
      String problem = urlProblem(url);
      if (problem != null) {
        errors.add("url", problem);
      }
    }
    errors.throwIfAny("Invalid webhook");
    UUID id = Ids.newId();
    String secret = secrets.newSecret();
    byte[] sealed = secrets.seal(id, secret);
    Instant now = clock.instant();
    tx.executeWithoutResult(
        status -> {
          long existing =
              jdbc.sql("select count(*) from webhook_subscription where customer_id = ?")
                  .param(merchantId)
                  .query(Long.class)
                  .single();
          if (existing >= SUBSCRIPTIONS_PER_MERCHANT_MAX) {
            throw ProblemException.unprocessable(
                ProblemTypes.of("too-many-webhooks"),
                "Too many webhooks",
                "A merchant has at most " + SUBSCRIPTIONS_PER_MERCHANT_MAX + " webhooks.");
          }
          jdbc.sql(
                  "insert into webhook_subscription (id, customer_id, url, secret_sealed,"
                      + " created_at) values (?, ?, ?, ?, ?)")
              .params(id, merchantId, url, sealed, Timestamp.from(now))
              .update();
          audit.done(caller.subject(), "webhook.subscribe", merchantId.toString(), url);
        });
    return new Subscription(id, merchantId, Objects.requireNonNull(url), secret, now);
  }

  public List<Subscription> subscriptions(UUID merchantId) {
    Caller caller = access.require(Scopes.ACCOUNTS_READ, "webhook.list");
    customers.visible(caller, merchantId, "webhook.list");
    return jdbc.sql(
            "select id, url, created_at from webhook_subscription where customer_id = ? order by id")
        .param(merchantId)
        .query(
            (rs, i) ->
                new Subscription(
                    rs.getObject(1, UUID.class),
                    merchantId,
                    rs.getString(2),
                    null,
                    rs.getTimestamp(3).toInstant()))
        .list();
  }

  /** The merchant's latest deliveries (at most {@link #DELIVERIES_PAGE_MAX}), each with its log. */
  public List<Delivery> deliveries(UUID merchantId) {
    Caller caller = access.require(Scopes.ACCOUNTS_READ, "webhook.deliveries");
    customers.visible(caller, merchantId, "webhook.deliveries");
    List<UUID> ids =
        jdbc.sql(
                "select d.id from webhook_delivery d join webhook_subscription s on s.id ="
                    + " d.subscription_id where s.customer_id = ? order by d.created_at desc,"
                    + " d.id desc limit ?")
            .params(merchantId, DELIVERIES_PAGE_MAX)
            .query(UUID.class)
            .list();
    return ids.stream().map(this::delivery).toList();
  }

  /**
   * Sends a delivery again (typically a DEAD one, once the merchant's endpoint is fixed): a new
   * round of attempts starts now. A PENDING delivery is already being tried: 409.
   */
  public Delivery replay(UUID deliveryId) {
    Caller caller = access.requireOrAdmin(Scopes.ACCOUNTS_WRITE, "webhook.replay");
    UUID owner =
        jdbc.sql(
                "select s.customer_id from webhook_delivery d join webhook_subscription s on s.id ="
                    + " d.subscription_id where d.id = ?")
            .param(deliveryId)
            .query(UUID.class)
            .optional()
            .orElse(null);
    if (owner == null || !(caller.isAdmin() || owner.equals(caller.customerId()))) {
      audit.refused(caller.subject(), "webhook.replay", deliveryId.toString(), "not the owner");
      throw ProblemException.notFound("No delivery " + deliveryId + " is visible to the caller.");
    }
    tx.executeWithoutResult(
        status -> {
          int updated =
              jdbc.sql(
                      "update webhook_delivery set status = 'PENDING', round_start = attempts,"
                          + " next_attempt_at = ?, delivered_at = null where id = ?"
                          + " and status <> 'PENDING'")
                  .params(Timestamp.from(clock.instant()), deliveryId)
                  .update();
          if (updated == 0) {
            throw new ProblemException(
                HttpStatus.CONFLICT,
                ProblemTypes.CONFLICT,
                "Delivery pending",
                "Delivery " + deliveryId + " is still being tried.");
          }
          audit.done(caller.subject(), "webhook.replay", deliveryId.toString(), null);
        });
    return delivery(deliveryId);
  }

  /**
   * A payment reached a final status: one delivery per subscription of every merchant whose wallet
   * is the payer or the payee. Runs in the inbox's transaction; the unique (subscription, event)
   * keeps a redelivered event from adding a second delivery.
   */
  void onPaymentFinished(UUID eventId, String eventType, Instant eventTime, PaymentFinished p) {
    Set<UUID> holders = new LinkedHashSet<>();
    wallets.holderOf(p.payerAccountId()).ifPresent(holders::add);
    wallets.holderOf(p.payeeAccountId()).ifPresent(holders::add);
    if (holders.isEmpty()) {
      return;
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("id", eventId.toString());
    payload.put("type", eventType);
    payload.put("createdAt", eventTime.toString());
    payload.put("data", p);
    String body = json.writeValueAsString(payload);
    Timestamp now = Timestamp.from(clock.instant());
    for (UUID holder : holders) {
      List<UUID> subscriptions =
          jdbc.sql(
                  "select id from webhook_subscription where customer_id = ? and enabled"
                      + " order by id")
              .param(holder)
              .query(UUID.class)
              .list();
      for (UUID subscription : subscriptions) {
        jdbc.sql(
                "insert into webhook_delivery (id, subscription_id, event_id, event_type, payload,"
                    + " status, next_attempt_at, created_at) values (?, ?, ?, ?, ?, 'PENDING', ?,"
                    + " ?) on conflict (subscription_id, event_id) do nothing")
            .params(Ids.newId(), subscription, eventId, eventType, body, now, now)
            .update();
      }
    }
  }

  Delivery delivery(UUID id) {
    List<Attempt> log =
        jdbc.sql(
                "select attempt, at, http_status, error, duration_ms from webhook_attempt"
                    + " where delivery_id = ? order by attempt")
            .param(id)
            .query(
                (rs, i) ->
                    new Attempt(
                        rs.getInt(1),
                        rs.getTimestamp(2).toInstant(),
                        (Integer) rs.getObject(3),
                        rs.getString(4),
                        rs.getLong(5)))
            .list();
    return jdbc.sql(
            "select id, subscription_id, event_id, event_type, status, attempts, next_attempt_at,"
                + " delivered_at from webhook_delivery where id = ?")
        .param(id)
        .query(
            (rs, i) ->
                new Delivery(
                    rs.getObject(1, UUID.class),
                    rs.getObject(2, UUID.class),
                    rs.getObject(3, UUID.class),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getInt(6),
                    rs.getTimestamp(7).toInstant(),
                    rs.getTimestamp(8) == null ? null : rs.getTimestamp(8).toInstant(),
                    log))
        .single();
  }

  /**
   * Why a URL cannot be a webhook, or null. Outside local runs the host must resolve to public
   * addresses only, so that a merchant cannot make this service call internal ones (SSRF). The
   * check is made when subscribing; the dispatcher does not resolve again.
   */
  private @Nullable String urlProblem(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      return "must be an absolute http(s) URL";
    }
    String scheme = uri.getScheme();
    if (scheme == null || uri.getHost() == null || uri.getUserInfo() != null) {
      return "must be an absolute http(s) URL without user info";
    }
    boolean https = scheme.equalsIgnoreCase("https");
    if (!https && !(scheme.equalsIgnoreCase("http") && properties.allowPrivateTargets())) {
      return "must be https";
    }
    if (properties.allowPrivateTargets()) {
      return null;
    }
    try {
      for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
        if (address.isLoopbackAddress()
            || address.isAnyLocalAddress()
            || address.isLinkLocalAddress()
            || address.isSiteLocalAddress()
            || address.isMulticastAddress()) {
          return "must not point at a private or local address";
        }
      }
    } catch (UnknownHostException e) {
      return "host does not resolve";
    }
    return null;
  }
}
