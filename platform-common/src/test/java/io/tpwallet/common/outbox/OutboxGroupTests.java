package io.tpwallet.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The framing of group rows: what goes in comes out, event for event, and the bounds hold. */
class OutboxGroupTests {

  @Test
  void aGroupDecodesToTheSameEventsInTheSameOrder() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int round = 0; round < 200; round++) {
      List<OutboxGroup.Event> events = new ArrayList<>();
      int n = 1 + random.nextInt(OutboxGroup.EVENTS_MAX);
      for (int i = 0; i < n; i++) {
        byte[] bytes = new byte[random.nextInt(300)];
        random.nextBytes(bytes);
        events.add(
            new OutboxGroup.Event(
                new UUID(random.nextLong(), random.nextLong()),
                "tpw.test." + random.nextInt(5) + ".v1",
                random.nextBoolean() ? "ä-" + random.nextInt(50) : "",
                bytes));
      }
      List<OutboxGroup.Event> back = OutboxGroup.decode(OutboxGroup.encode(events));
      assertThat(back).as("seed %d", seed).hasSize(n);
      for (int i = 0; i < n; i++) {
        OutboxGroup.Event a = events.get(i);
        OutboxGroup.Event b = back.get(i);
        assertThat(b.id()).as("seed %d", seed).isEqualTo(a.id());
        assertThat(b.topic()).isEqualTo(a.topic());
        assertThat(b.key()).isEqualTo(a.key());
        assertThat(b.bytes()).as("seed %d, event %d", seed, i).isEqualTo(a.bytes());
      }
    }
  }

  @Test
  void theCountLeadsThePayloadAsFourBigEndianBytes() {
    byte[] payload = OutboxGroup.encode(List.of(event(10), event(10), event(10)));
    assertThat(Arrays.copyOf(payload, 4)).containsExactly(0, 0, 0, 3);
  }

  @Test
  void aCallIsSplitAtTheEventBoundAndTheByteBoundInOrder() {
    List<OutboxGroup.Event> many = new ArrayList<>();
    for (int i = 0; i < 2 * OutboxGroup.EVENTS_MAX + 1; i++) {
      many.add(event(10));
    }
    List<List<OutboxGroup.Event>> groups = OutboxGroup.split(many);
    assertThat(groups).extracting(List::size).containsExactly(1000, 1000, 1);
    assertThat(groups.stream().flatMap(List::stream).toList()).isEqualTo(many);

    // 400 KiB events: two fit in 1 MiB, a third does not.
    List<OutboxGroup.Event> large = List.of(event(400 << 10), event(400 << 10), event(400 << 10));
    assertThat(OutboxGroup.split(large)).extracting(List::size).containsExactly(2, 1);
    // One event larger than the byte bound still gets a row of its own.
    assertThat(OutboxGroup.split(List.of(event(10), event(2 << 20), event(10))))
        .extracting(List::size)
        .containsExactly(1, 1, 1);
    assertThat(OutboxGroup.split(List.of())).isEmpty();
  }

  @Test
  void aDamagedGroupFailsLoudlyInsteadOfSendingSomethingElse() {
    byte[] payload = OutboxGroup.encode(List.of(event(10), event(10)));
    byte[] longer = Arrays.copyOf(payload, payload.length + 1);
    assertThatThrownBy(() -> OutboxGroup.decode(longer)).isInstanceOf(IllegalStateException.class);
    byte[] zero = payload.clone();
    zero[3] = 0;
    assertThatThrownBy(() -> OutboxGroup.decode(zero)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> OutboxGroup.decode(Arrays.copyOf(payload, payload.length - 1)))
        .isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> OutboxGroup.encode(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static OutboxGroup.Event event(int size) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) 'x');
    return new OutboxGroup.Event(UUID.randomUUID(), "tpw.test.group.v1", "key", bytes);
  }
}
