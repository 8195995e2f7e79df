package io.tpwallet.routing.payment;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tpwallet.common.event.PaymentCreated;
import io.tpwallet.common.event.PaymentFinished;
import io.tpwallet.common.event.RiskDecided;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferPosted;
import io.tpwallet.common.event.TransferRejected;
import io.tpwallet.common.event.TransferRequested;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.idempotency.IdempotencyKeys;
import io.tpwallet.common.outbox.Outbox;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The payment saga, orchestrated here: a payment is created with its {@code payment.created} event;
 * risk's decision either declines it or requests the ledger transfer; the ledger's answer settles
 * or fails it. Every step changes the payment and writes its next event in one transaction
 * (outbox), and every step applies at most once (status guard plus inbox).
 */
@Service
public class Payments {

  private static final Logger log = LoggerFactory.getLogger(Payments.class);
  private static final String IDEMPOTENCY_SCOPE = "POST /v1/payments";
  private static final String REFERENCE_PREFIX = "payment:";

  private final PaymentRepository repository;
  private final Outbox outbox;
  private final IdempotencyKeys idempotencyKeys;
  private final TransactionTemplate tx;
  private final JsonMapper json;
  private final Clock clock;
  private final MeterRegistry meters;
  private final LimitCheck limits;
  private final Timer settlement;

  Payments(
      PaymentRepository repository,
      Outbox outbox,
      IdempotencyKeys idempotencyKeys,
      TransactionTemplate tx,
      JsonMapper json,
      Clock clock,
      MeterRegistry meters,
      LimitCheck limits) {
    this.repository = repository;
    this.outbox = outbox;
    this.idempotencyKeys = idempotencyKeys;
    this.tx = tx;
    this.json = json;
    this.clock = clock;
    this.meters = meters;
    this.limits = limits;
    this.settlement =
        Timer.builder("tpw.payment.settlement")
            .description("From a payment's creation to its final status")
            .register(meters);
  }

  /** What {@code POST /v1/payments} answers: status code and JSON body, fresh or replayed. */
  public record Answer(int status, String body, boolean replayed, UUID paymentId) {}

  /**
   * Creates a payment once per Idempotency-Key. The payment, its {@code payment.created} event and
   * the stored answer commit together; a retry with the same key and request replays that answer.
   * With the limit check on, the payment must first fit the payer's KYC limits ({@link LimitCheck},
   * with the caller's {@code authorization} header); a refusal writes nothing.
   */
  public Answer create(
      String key, CreatePaymentRequest request, Caller caller, @Nullable String authorization) {
    if (caller.checked() && caller.holder() == null) {
      throw new ProblemException(
          HttpStatus.FORBIDDEN,
          ProblemTypes.of("forbidden"),
          "Forbidden",
          "A payment is made for an account holder; this access token acts for none.");
    }
    UUID owner = caller.holder();
    // Keys are the client's: two holders may pick the same one without meeting each other's.
    String scope = owner == null ? IDEMPOTENCY_SCOPE : IDEMPOTENCY_SCOPE + " " + owner;
    CreatePaymentRequest.Valid valid = request.validate();
    byte[] hash = IdempotencyKeys.hash(json.writeValueAsString(canonical(valid)));
    UUID id = Ids.newId();
    if (limits.enabled()) {
      // A retry of an accepted payment is answered without asking again; a new one is checked
      // against the payer's KYC limits before anything is written, outside any transaction so
      // that no database connection waits on account-service.
      Optional<IdempotencyKeys.Stored> stored =
          Objects.requireNonNull(tx.execute(status -> idempotencyKeys.replay(scope, key, hash)));
      if (stored.isPresent()) {
        return replayed(stored.get());
      }
      limits.authorize(authorization, id, valid.payer(), valid.amount());
    }
    try {
      return inTransaction(
          () -> {
            Optional<IdempotencyKeys.Stored> stored = idempotencyKeys.replay(scope, key, hash);
            if (stored.isPresent()) {
              return replayed(stored.get());
            }
            Instant now = clock.instant();
            repository.insert(id, valid, owner, now);
            outbox.add(
                Topics.PAYMENT_CREATED,
                id.toString(),
                new PaymentCreated(
                    id,
                    valid.payer(),
                    valid.payee(),
                    valid.amount().minor().toString(),
                    valid.amount().asset().code(),
                    valid.reference()));
            String body = json.writeValueAsString(repository.find(id).orElseThrow());
            idempotencyKeys.store(scope, key, hash, new IdempotencyKeys.Stored(202, body));
            count(PaymentStatus.PENDING);
            return new Answer(202, body, false, id);
          });
    } catch (DuplicateKeyException concurrent) {
      // Another request with this key committed first: answer what it answered.
      return inTransaction(
          () -> {
            return replayed(idempotencyKeys.replay(scope, key, hash).orElseThrow());
          });
    }
  }

  private Answer replayed(IdempotencyKeys.Stored stored) {
    UUID id = UUID.fromString(json.readTree(stored.body()).get("id").asString());
    return new Answer(stored.status(), stored.body(), true, id);
  }

  public Optional<Payment> find(UUID id) {
    return repository.find(id);
  }

  /**
   * The payment if this caller may see it. Another holder's payment is answered as unknown (404),
   * so that ids do not tell whether they exist (no BOLA).
   */
  Optional<Payment> find(UUID id, Caller caller) {
    return repository.find(id).filter(p -> caller.maySee(p.ownerId()));
  }

  /** Risk decided. Runs in the inbox's transaction. */
  void onRiskDecided(RiskDecided decided) {
    Instant now = clock.instant();
    UUID id = decided.paymentId();
    String reasons = decided.reasons().isEmpty() ? null : String.join("; ", decided.reasons());
    switch (decided.decision()) {
      case APPROVE -> {
        if (repository.transition(id, PaymentStatus.PENDING, PaymentStatus.APPROVED, null, now)) {
          Payment payment = repository.find(id).orElseThrow();
          // The payment id is the transfer id: the ledger applies it at most once.
          outbox.add(
              Topics.LEDGER_TRANSFER_REQUESTED,
              id.toString(),
              new TransferRequested(
                  id,
                  payment.payerAccountId(),
                  payment.payeeAccountId(),
                  payment.amount(),
                  payment.asset(),
                  referenceOf(id)));
          count(PaymentStatus.APPROVED);
        } else {
          ignored(id, "risk approval");
        }
      }
      case DECLINE -> finish(id, PaymentStatus.PENDING, PaymentStatus.DECLINED, reasons, now);
      case REVIEW -> {
        if (repository.transition(id, PaymentStatus.PENDING, PaymentStatus.REVIEW, reasons, now)) {
          count(PaymentStatus.REVIEW);
        } else {
          ignored(id, "risk review");
        }
      }
    }
  }

  /** The ledger posted the payment's transfer. Runs in the inbox's transaction. */
  void onTransferPosted(TransferPosted posted) {
    if (!isPayment(posted.reference())) {
      return; // a transfer of someone else's (funding, migration): not a payment of ours
    }
    finish(
        posted.transferId(), PaymentStatus.APPROVED, PaymentStatus.SETTLED, null, clock.instant());
  }

  /** The ledger refused the payment's transfer. Runs in the inbox's transaction. */
  void onTransferRejected(TransferRejected rejected) {
    if (!isPayment(rejected.reference())) {
      return;
    }
    finish(
        rejected.transferId(),
        PaymentStatus.APPROVED,
        PaymentStatus.FAILED,
        rejected.code() + ": " + rejected.detail(),
        clock.instant());
  }

  /** The ledger reference routing gives each payment's transfer. */
  static String referenceOf(UUID paymentId) {
    return REFERENCE_PREFIX + paymentId;
  }

  private static boolean isPayment(@Nullable String reference) {
    return reference != null && reference.startsWith(REFERENCE_PREFIX);
  }

  private void finish(
      UUID id, PaymentStatus from, PaymentStatus to, @Nullable String reason, Instant now) {
    if (!repository.transition(id, from, to, reason, now)) {
      ignored(id, to.name());
      return;
    }
    count(to);
    Payment payment = repository.find(id).orElseThrow();
    settlement.record(Duration.between(payment.createdAt(), now));
    // The final status is announced in the transition's transaction (merchants' webhooks).
    outbox.add(
        to == PaymentStatus.SETTLED ? Topics.PAYMENT_SETTLED : Topics.PAYMENT_FAILED,
        id.toString(),
        new PaymentFinished(
            id,
            to.name(),
            payment.payerAccountId(),
            payment.payeeAccountId(),
            payment.amount(),
            payment.asset(),
            payment.reference(),
            reason,
            now));
  }

  private void ignored(UUID id, String step) {
    log.warn("Payment {}: {} does not apply to its current status; ignored", id, step);
  }

  private void count(PaymentStatus status) {
    Counter.builder("tpw.payments")
        .description("Payments entering each status")
        .tag("status", status.name())
        .register(meters)
        .increment();
  }

  private <T> T inTransaction(java.util.function.Supplier<T> work) {
    T result = tx.execute(status -> work.get());
    if (result == null) {
      throw new IllegalStateException("transaction returned nothing");
    }
    return result;
  }

  /** The request as it is compared for idempotency: parsed values, not the client's spelling. */
  private static java.util.Map<String, String> canonical(CreatePaymentRequest.Valid valid) {
    var fields = new java.util.TreeMap<String, String>();
    fields.put("payer", valid.payer().toString());
    fields.put("payee", valid.payee().toString());
    fields.put("amount", valid.amount().minor().toString());
    fields.put("asset", valid.amount().asset().code());
    fields.put("reference", valid.reference() == null ? "" : valid.reference());
    return fields;
  }

  static ProblemException notFound(UUID id) {
    return ProblemException.notFound("No payment " + id + ".");
  }
}
