package io.tpwallet.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.db.DatabaseCreator;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.PaymentCreated;
import io.tpwallet.common.event.Topics;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class EnvelopeTests {

  private final Envelope envelope =
      new Envelope("urn:tpw:routing-service", Clock.systemUTC(), JsonMapper.builder().build());

  @Test
  void anEventSurvivesTheWireAsACloudEvent() {
    var payment =
        new PaymentCreated(
            UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), "2500", "USD", "coffee");
    var event =
        envelope.wrap(
            Topics.typeOf(Topics.PAYMENT_CREATED), payment.paymentId().toString(), payment);
    byte[] wire = Envelope.serialize(event);
    assertThat(new String(wire)).contains("\"specversion\":\"1.0\"");
    var back = Envelope.deserialize(wire);
    assertThat(back.getType()).isEqualTo("tpw.payment.created");
    assertThat(back.getSubject()).isEqualTo(payment.paymentId().toString());
    assertThat(Envelope.id(back).version()).isEqualTo(7);
    assertThat(envelope.data(back, PaymentCreated.class)).isEqualTo(payment);
  }

  @Test
  void eachServiceGetsItsOwnDatabaseOnTheSameServer() {
    assertThat(
            DatabaseCreator.withDatabase(
                "jdbc:postgresql://127.0.0.1:5432/postgres?sslmode=disable", "tpw_ledger"))
        .isEqualTo("jdbc:postgresql://127.0.0.1:5432/tpw_ledger?sslmode=disable");
    assertThat(DatabaseCreator.withDatabase("postgresql://u@db:6432/x", "tpw_risk"))
        .isEqualTo("jdbc:postgresql://db:6432/tpw_risk");
    assertThat(DatabaseCreator.withDatabase("jdbc:postgresql://h", "tpw_a"))
        .isEqualTo("jdbc:postgresql://h/tpw_a");
  }
}
