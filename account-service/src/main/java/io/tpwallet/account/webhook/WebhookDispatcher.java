package io.tpwallet.account.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends due deliveries, at least once: a round claims up to {@code batch-max} due deliveries by
 * pushing their next attempt a lease into the future (so that another instance, or this one after a
 * crash, only takes them again once the lease has passed), posts each signed, and records the
 * attempt. A 2xx answer delivers it; anything else waits {@code backoff-first} doubling up to
 * {@code backoff-max}, and after {@code attempts-max} attempts of a round the delivery is DEAD.
 *
 * <p>Headers a receiver checks: {@code Webhook-Id} (the event id, the same on every attempt, to
 * drop duplicates), {@code Webhook-Timestamp} (Unix seconds) and {@code Webhook-Signature} ({@code
 * v1=} hex HMAC-SHA256 of {@code "<timestamp>.<body>"} under the secret).
 */
@Component
class WebhookDispatcher {

  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
  private static final int ERROR_LENGTH_MAX = 300;

  private record Due(
      UUID id, UUID subscription, UUID eventId, String payload, int attempts, int roundStart) {}

  private record Target(String url, String secret) {}

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final WebhookSecrets secrets;
  private final WebhookProperties properties;
  private final Clock clock;
  private final HttpClient http;
  private final MeterRegistry meters;

  WebhookDispatcher(
      JdbcClient jdbc,
      TransactionTemplate tx,
      WebhookSecrets secrets,
      WebhookProperties properties,
      Clock clock,
      MeterRegistry meters) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.secrets = secrets;
    this.properties = properties;
    this.clock = clock;
    this.meters = meters;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(properties.timeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    Gauge.builder("tpw.webhook.backlog", this, WebhookDispatcher::backlog)
        .description("Webhook deliveries not yet delivered nor dead")
        .register(meters);
  }

  @Scheduled(fixedDelayString = "${tpw.account.webhooks.poll-interval:1s}")
  void dispatch() {
    if (!secrets.configured()) {
      return;
    }
    for (Due due : claim()) {
      try {
        attempt(due);
      } catch (RuntimeException e) {
        // The lease brings it back; one bad row must not stop the others.
        log.warn("Webhook delivery {} could not be attempted: {}", due.id(), e.toString());
      }
    }
  }

  private List<Due> claim() {
    Instant now = clock.instant();
    return tx.execute(
        status ->
            jdbc.sql(
                    """
                    update webhook_delivery set next_attempt_at = ?
                    where id in (select id from webhook_delivery
                                 where status = 'PENDING' and next_attempt_at <= ?
                                 order by next_attempt_at limit ? for update skip locked)
                    returning id, subscription_id, event_id, payload, attempts, round_start""")
                .params(
                    Timestamp.from(now.plus(properties.lease())),
                    Timestamp.from(now),
                    properties.batchMax())
                .query(
                    (rs, i) ->
                        new Due(
                            rs.getObject(1, UUID.class),
                            rs.getObject(2, UUID.class),
                            rs.getObject(3, UUID.class),
                            rs.getString(4),
                            rs.getInt(5),
                            rs.getInt(6)))
                .list());
  }

  private void attempt(Due due) {
    Target target =
        jdbc.sql("select url, secret_sealed from webhook_subscription where id = ?")
            .param(due.subscription())
            .query(
                (rs, i) ->
                    new Target(rs.getString(1), secrets.open(due.subscription(), rs.getBytes(2))))
            .single();
    long timestamp = clock.instant().getEpochSecond();
    var request =
        HttpRequest.newBuilder(URI.create(target.url()))
            .timeout(properties.timeout())
            .header("Content-Type", "application/json")
            .header("Webhook-Id", due.eventId().toString())
            .header("Webhook-Timestamp", Long.toString(timestamp))
            .header(
                "Webhook-Signature",
                WebhookSecrets.signature(target.secret(), timestamp, due.payload()))
            .POST(HttpRequest.BodyPublishers.ofString(due.payload()))
            .build();
    long started = System.nanoTime();
    Integer status = null;
    String error = null;
    try {
      status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException e) {
      error = e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = "interrupted";
    }
    record(due, status, error, Duration.ofNanos(System.nanoTime() - started));
  }

  private void record(Due due, @Nullable Integer status, @Nullable String error, Duration took) {
    boolean delivered = status != null && status >= 200 && status < 300;
    int attempt = due.attempts() + 1;
    boolean dead = !delivered && attempt - due.roundStart() >= properties.attemptsMax();
    Instant now = clock.instant();
    String outcome = delivered ? "delivered" : dead ? "dead" : "retry";
    tx.executeWithoutResult(
        s -> {
          int updated =
              jdbc.sql(
                      "update webhook_delivery set attempts = ?, status = ?, next_attempt_at = ?,"
                          + " delivered_at = ? where id = ? and attempts = ? and status ="
                          + " 'PENDING'")
                  .params(
                      attempt,
                      delivered ? "DELIVERED" : dead ? "DEAD" : "PENDING",
                      Timestamp.from(
                          delivered || dead
                              ? now
                              : now.plus(properties.backoffAfter(attempt - due.roundStart()))),
                      delivered ? Timestamp.from(now) : null,
                      due.id(),
                      due.attempts())
                  .update();
          if (updated == 0) {
            return; // another dispatcher recorded this attempt after our lease ran out
          }
          jdbc.sql(
                  "insert into webhook_attempt (delivery_id, attempt, at, http_status, error,"
                      + " duration_ms) values (?, ?, ?, ?, ?, ?)")
              .params(
                  due.id(),
                  attempt,
                  Timestamp.from(now),
                  status,
                  error == null
                      ? null
                      : error.substring(0, Math.min(error.length(), ERROR_LENGTH_MAX)),
                  took.toMillis())
              .update();
        });
    if (dead) {
      log.warn("Webhook delivery {} is dead after {} attempts", due.id(), attempt);
    }
    Counter.builder("tpw.webhook.attempts")
        .description("Webhook delivery attempts, by outcome")
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }

  private double backlog() {
    try {
      return jdbc.sql("select count(*) from webhook_delivery where status = 'PENDING'")
          .query(Long.class)
          .single();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }
}
