package io.tpwallet.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The outbox's own encoder writes what the CloudEvents SDK writes, byte for byte, so that every
 * consumer decodes the events exactly as before.
 */
class EnvelopeEncodingTests {

  private static final long SEED = Long.getLong("tpw.seed", System.nanoTime());
  private static final int RUNS = 2_000;

  private final JsonMapper json = JsonMapper.builder().build();

  @Test
  void theEncoderWritesTheSdksBytesForGeneratedEvents() {
    Random random = new Random(SEED);
    for (int run = 0; run < RUNS; run++) {
      String source = "urn:tpw:" + pick(random, "ledger-service", "account-service", "a-b");
      var envelope = new Envelope(source, Clock.systemUTC(), json);
      UUID id = new UUID(random.nextLong(), random.nextLong());
      String type = random.nextBoolean() ? "tpw.ledger.transfer.posted" : text(random);
      String subject = random.nextBoolean() ? UUID.randomUUID().toString() : text(random);
      OffsetDateTime time = time(random);
      byte[] data = json.writeValueAsBytes(payload(random));

      CloudEvent sdk =
          CloudEventBuilder.v1()
              .withId(id.toString())
              .withSource(URI.create(source))
              .withType(type)
              .withSubject(subject)
              .withTime(time)
              .withDataContentType("application/json")
              .withData(data)
              .build();
      byte[] expected = Envelope.serialize(sdk);
      byte[] ours = envelope.encode(id, type, subject, time, data);

      assertThat(new String(ours, StandardCharsets.UTF_8))
          .as("run %d, replay with -Dtpw.seed=%d", run, SEED)
          .isEqualTo(new String(expected, StandardCharsets.UTF_8));
      assertThat(ours).as("run %d, replay with -Dtpw.seed=%d", run, SEED).isEqualTo(expected);
    }
  }

  @Test
  void aConsumerDecodesAnEncodedEventAsBefore() {
    Instant at = Instant.parse("2026-12-04T01:02:03.123456Z");
    var envelope = new Envelope("urn:tpw:ledger-service", Clock.systemUTC(), json);
    var posted =
        new TransferPosted(
            UUID.randomUUID(),
            UUID.randomUUID(),
            UUID.randomUUID(),
            "2500",
            "USD",
            "rent \"march\"\n",
            at,
            null);
    OffsetDateTime time = at.atOffset(ZoneOffset.UTC);

    Envelope.Encoded encoded =
        envelope.encode("tpw.ledger.transfer.posted", posted.transferId().toString(), posted, time);
    CloudEvent back = Envelope.deserialize(encoded.bytes());

    assertThat(Envelope.id(back)).isEqualTo(encoded.id());
    assertThat(encoded.id().version()).isEqualTo(7);
    assertThat(back.getSource()).isEqualTo(URI.create("urn:tpw:ledger-service"));
    assertThat(back.getType()).isEqualTo("tpw.ledger.transfer.posted");
    assertThat(back.getSubject()).isEqualTo(posted.transferId().toString());
    assertThat(back.getTime()).isEqualTo(time);
    assertThat(back.getDataContentType()).isEqualTo("application/json");
    assertThat(envelope.data(back, TransferPosted.class)).isEqualTo(posted);
  }

  private static String pick(Random random, String... options) {
    return options[random.nextInt(options.length)];
  }

  /** Text with what a JSON writer must treat specially: quotes, controls, non-ASCII, emoji. */
  private static String text(Random random) {
    var s = new StringBuilder();
    int n = random.nextInt(24);
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(7)) {
        case 0 -> s.append((char) random.nextInt(0x20));
        case 1 -> s.append(pick(random, "\"", "\\", "/", "\u007f", "<", "&"));
        case 2 -> s.append((char) (0xA0 + random.nextInt(0x700)));
        case 3 -> s.append((char) (0x3000 + random.nextInt(0x5000)));
        case 4 -> s.appendCodePoint(0x1F300 + random.nextInt(0x300));
        default -> s.append((char) (0x20 + random.nextInt(0x5F)));
      }
    }
    return s.toString();
  }

  private static OffsetDateTime time(Random random) {
    Instant at = Instant.ofEpochSecond(1_700_000_000L + random.nextInt(200_000_000));
    int nanos =
        switch (random.nextInt(4)) {
          case 0 -> 0;
          case 1 -> random.nextInt(1_000) * 1_000_000;
          case 2 -> random.nextInt(1_000_000) * 1_000;
          default -> random.nextInt(1_000_000_000);
        };
    ZoneOffset offset =
        random.nextBoolean()
            ? ZoneOffset.UTC
            : ZoneOffset.ofTotalSeconds((random.nextInt(37) - 18) * 1_800);
    return at.plusNanos(nanos).atOffset(offset);
  }

  private static Map<String, Object> payload(Random random) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("transferId", UUID.randomUUID());
    data.put("amount", Long.toString(random.nextLong()));
    data.put("reference", text(random));
    data.put("count", random.nextInt());
    data.put("nothing", null);
    return data;
  }
}
