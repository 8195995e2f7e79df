package io.tpwallet.risk.decision;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.PaymentCreated;
import io.tpwallet.common.event.RiskDecided;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.inbox.Inbox;
import io.tpwallet.common.outbox.Outbox;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Service;

/**
 * Scores each created payment once: the decision is stored and its {@code risk.decided} event
 * written in the same transaction as the inbox record.
 */
@Service
class RiskDecisions {

  private final Inbox inbox;
  private final Envelope envelope;
  private final Outbox outbox;
  private final RiskRules rules;
  private final JdbcClient jdbc;
  private final Clock clock;
  private final MeterRegistry meters;

  RiskDecisions(
      Inbox inbox,
      Envelope envelope,
      Outbox outbox,
      RiskRules rules,
      JdbcClient jdbc,
      Clock clock,
      MeterRegistry meters) {
    this.inbox = inbox;
    this.envelope = envelope;
    this.outbox = outbox;
    this.rules = rules;
    this.jdbc = jdbc;
    this.clock = clock;
    this.meters = meters;
  }

  @KafkaListener(topics = Topics.PAYMENT_CREATED)
  void paymentCreated(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        "risk.payment-created",
        record,
        event -> decide(envelope.data(event, PaymentCreated.class)));
  }

  private void decide(PaymentCreated payment) {
    RiskDecided decided = rules.decide(payment);
    int stored =
        jdbc.sql(
                """
                insert into risk_decision
                  (payment_id, decision, reasons, payer_account_id, amount, asset, decided_at)
                values (?, ?, ?, ?, ?, ?, ?)
                on conflict (payment_id) do nothing""")
            .params(
                payment.paymentId(),
                decided.decision().name(),
                decided.reasons().toArray(String[]::new),
                payment.payerAccountId(),
                new BigDecimal(payment.amount()),
                payment.asset(),
                Timestamp.from(clock.instant()))
            .update();
    if (stored == 0) {
      return; // decided already (a second payment.created for the same payment)
    }
    outbox.add(Topics.RISK_DECIDED, payment.paymentId().toString(), decided);
    Counter.builder("tpw.risk.decisions")
        .description("Risk decisions made, by outcome")
        .tag("decision", decided.decision().name())
        .register(meters)
        .increment();
  }

  Optional<RiskDecisionView> find(UUID paymentId) {
    return jdbc.sql(
            "select payment_id, decision, reasons, decided_at from risk_decision where payment_id = ?")
        .param(paymentId)
        .query(
            (rs, i) ->
                new RiskDecisionView(
                    rs.getObject(1, UUID.class),
                    rs.getString(2),
                    java.util.List.of((String[]) rs.getArray(3).getArray()),
                    rs.getTimestamp(4).toInstant()))
        .optional();
  }
}
