package io.tpwallet.risk;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.PaymentCreated;
import io.tpwallet.common.event.RiskDecided;
import io.tpwallet.common.event.Topics;
import io.tpwallet.testkit.Infrastructure;
import io.tpwallet.testkit.KafkaProbe;
import io.tpwallet.testkit.OperationsChecks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RiskIT {

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "risk");
  }

  static KafkaProbe kafka;

  @BeforeAll
  static void probe() {
    kafka = new KafkaProbe(Topics.RISK_DECIDED);
  }

  @AfterAll
  static void closeProbe() {
    kafka.close();
  }

  @Autowired Envelope envelope;
  @LocalServerPort int port;

  @Test
  void isLiveReadyAndScrapeable() {
    OperationsChecks.assertOperable(port, "risk-service");
  }

  @Test
  void decidesEachPaymentOnceAgainstTheConfiguredLimit() throws Exception {
    PaymentCreated small = payment("100000");
    PaymentCreated large = payment("100001");
    byte[] smallEvent = Envelope.serialize(envelope.wrap("tpw.payment.created", key(small), small));
    kafka.send(Topics.PAYMENT_CREATED, key(small), smallEvent);
    kafka.send(Topics.PAYMENT_CREATED, key(small), smallEvent); // redelivery
    kafka.send(
        Topics.PAYMENT_CREATED,
        key(large),
        Envelope.serialize(envelope.wrap("tpw.payment.created", key(large), large)));

    assertThat(decision(small).decision()).isEqualTo(RiskDecided.Decision.APPROVE);
    RiskDecided declined = decision(large);
    assertThat(declined.decision()).isEqualTo(RiskDecided.Decision.DECLINE);
    assertThat(declined.reasons()).singleElement().asString().contains("exceeds");
    assertThat(kafka.all(r -> key(small).equals(r.key()), Duration.ofSeconds(1))).hasSize(1);

    var http = HttpClient.newHttpClient();
    var response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + port + "/v1/risk/decisions/" + large.paymentId()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"decision\":\"DECLINE\"");
  }

  private RiskDecided decision(PaymentCreated payment) {
    var record = kafka.await(r -> key(payment).equals(r.key()), Duration.ofSeconds(30));
    return envelope.data(Envelope.deserialize(record.value()), RiskDecided.class);
  }

  private static String key(PaymentCreated payment) {
    return payment.paymentId().toString();
  }

  private static PaymentCreated payment(String amount) {
    return new PaymentCreated(
        UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), amount, "USD", "it");
  }
}
