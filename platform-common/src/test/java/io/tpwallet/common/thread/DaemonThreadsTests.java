package io.tpwallet.common.thread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class DaemonThreadsTests {

  @Test
  void threadsAreDaemonsNumberedAfterTheirPool() {
    ThreadFactory factory = DaemonThreads.named("outbox-relay");
    Thread first = factory.newThread(() -> {});
    Thread second = factory.newThread(() -> {});

    assertThat(first.isDaemon()).isTrue();
    assertThat(second.isDaemon()).isTrue();
    assertThat(first.getName()).isEqualTo("outbox-relay-1");
    assertThat(second.getName()).isEqualTo("outbox-relay-2");
    assertThat(first.getState()).isEqualTo(Thread.State.NEW);
  }

  @Test
  void aPoolNeedsAName() {
    assertThatThrownBy(() -> DaemonThreads.named(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
