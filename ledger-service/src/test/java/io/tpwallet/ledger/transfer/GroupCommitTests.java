package io.tpwallet.ledger.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.common.id.Ids;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Group commit without a database: events that arrive while a group is being committed go together
 * into the next one, each gets its own answer, and a group that fails as a whole is retried member
 * by member so that only the failing event fails.
 */
class GroupCommitTests {

  private static final UUID DEBIT = Ids.newId();
  private static final UUID CREDIT = Ids.newId();

  @Test
  void eventsQueuedDuringACommitShareTheNextGroupAndEachGetsItsOwnResult() throws Exception {
    Gate gate = new Gate(GroupCommitTests::answerByAmount);
    try (GroupCommit group = new GroupCommit(gate::apply, 100)) {
      ExecutorService clients = Executors.newFixedThreadPool(20);
      try {
        Future<Posting> first = clients.submit(() -> group.submit(transfer(100)));
        assertThat(gate.firstGroupEntered.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<Posting>> queued = new ArrayList<>();
        for (int i = 2; i <= 20; i++) {
          int amount = i;
          queued.add(clients.submit(() -> group.submit(transfer(amount))));
        }
        waitUntilQueued(group, 19);
        gate.releaseFirstGroup.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS).result()).isEqualTo(TransferResult.OK);
        for (int i = 0; i < queued.size(); i++) {
          Posting p = queued.get(i).get(10, TimeUnit.SECONDS);
          int amount = i + 2;
          assertThat(p.result())
              .as("amount %d", amount)
              .isEqualTo(amount % 2 == 0 ? TransferResult.OK : TransferResult.INSUFFICIENT_FUNDS);
          if (p.transfer() != null) {
            assertThat(p.transfer().amount()).isEqualTo(BigInteger.valueOf(amount));
          }
        }
        assertThat(gate.groupSizes).containsExactly(1, 19);
      } finally {
        clients.shutdownNow();
      }
    }
  }

  @Test
  void aGroupThatFailsAsAWholeIsRetriedMemberByMemberSoOnlyTheBadEventFails() throws Exception {
    Gate gate =
        new Gate(
            commands -> {
              for (LedgerCommand c : commands) {
                if (((TransferCommand) c).amount().equals(BigInteger.valueOf(13))) {
                  throw new IllegalStateException("the database refused event 13");
                }
              }
              return answerByAmount(commands);
            });
    try (GroupCommit group = new GroupCommit(gate::apply, 100)) {
      ExecutorService clients = Executors.newFixedThreadPool(6);
      try {
        Future<Posting> first = clients.submit(() -> group.submit(transfer(2)));
        assertThat(gate.firstGroupEntered.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<Posting>> queued = new ArrayList<>();
        for (int amount : new int[] {4, 13, 6, 8}) {
          queued.add(clients.submit(() -> group.submit(transfer(amount))));
        }
        waitUntilQueued(group, 4);
        gate.releaseFirstGroup.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS).result()).isEqualTo(TransferResult.OK);
        assertThat(queued.get(0).get(10, TimeUnit.SECONDS).result()).isEqualTo(TransferResult.OK);
        assertThatThrownBy(() -> queued.get(1).get(10, TimeUnit.SECONDS))
            .hasCauseInstanceOf(IllegalStateException.class)
            .hasMessageContaining("event 13");
        assertThat(queued.get(2).get(10, TimeUnit.SECONDS).result()).isEqualTo(TransferResult.OK);
        assertThat(queued.get(3).get(10, TimeUnit.SECONDS).result()).isEqualTo(TransferResult.OK);
        // The group of four failed once, then each member was applied alone.
        assertThat(gate.groupSizes).containsExactly(1, 4, 1, 1, 1, 1);
      } finally {
        clients.shutdownNow();
      }
    }
  }

  @Test
  void withTwoWorkersAGroupCommitsWhileTheFirstIsStillCommitting() throws Exception {
    Gate gate = new Gate(GroupCommitTests::answerByAmount);
    try (GroupCommit group = new GroupCommit(gate::apply, 100, 2)) {
      ExecutorService clients = Executors.newFixedThreadPool(4);
      try {
        Future<Posting> held = clients.submit(() -> group.submit(transfer(100)));
        assertThat(gate.firstGroupEntered.await(10, TimeUnit.SECONDS)).isTrue();

        // The first group is still inside its transaction; the second worker answers these.
        Future<Posting> even = clients.submit(() -> group.submit(transfer(4)));
        Future<Posting> odd = clients.submit(() -> group.submit(transfer(7)));
        assertThat(even.get(10, TimeUnit.SECONDS).result()).isEqualTo(TransferResult.OK);
        assertThat(odd.get(10, TimeUnit.SECONDS).result())
            .isEqualTo(TransferResult.INSUFFICIENT_FUNDS);
        assertThat(held.isDone()).isFalse();

        gate.releaseFirstGroup.countDown();
        assertThat(held.get(10, TimeUnit.SECONDS).result()).isEqualTo(TransferResult.OK);
      } finally {
        clients.shutdownNow();
      }
    }
  }

  @Test
  void theWorkerCountIsBounded() {
    assertThatThrownBy(() -> new GroupCommit(GroupCommitTests::answerByAmount, 10, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new GroupCommit(GroupCommitTests::answerByAmount, 10, GroupCommit.WORKERS_MAX + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aLinkedEventIsRefusedBecauseItBelongsToItsChain() {
    try (GroupCommit group = new GroupCommit(GroupCommitTests::answerByAmount, 10)) {
      TransferCommand linked =
          new TransferCommand(
              Ids.newId(), DEBIT, CREDIT, BigInteger.ONE, "USD", "ref", false, 0, true);
      assertThatThrownBy(() -> group.submit(linked)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  /**
   * Wraps the apply function: records each group's size and holds the first group until the test
   * has queued the events that must then travel together.
   */
  private static final class Gate {
    final CountDownLatch firstGroupEntered = new CountDownLatch(1);
    final CountDownLatch releaseFirstGroup = new CountDownLatch(1);
    final List<Integer> groupSizes = Collections.synchronizedList(new ArrayList<>());
    private final Function<List<LedgerCommand>, List<Posting>> rules;

    Gate(Function<List<LedgerCommand>, List<Posting>> rules) {
      this.rules = rules;
    }

    List<Posting> apply(List<LedgerCommand> commands) {
      groupSizes.add(commands.size());
      if (groupSizes.size() == 1) {
        firstGroupEntered.countDown();
        await(releaseFirstGroup);
      }
      return rules.apply(commands);
    }
  }

  /** Even amounts post, odd ones are refused: a stand-in for the ledger's rules. */
  private static List<Posting> answerByAmount(List<LedgerCommand> commands) {
    List<Posting> postings = new ArrayList<>();
    for (LedgerCommand c : commands) {
      TransferCommand t = (TransferCommand) c;
      if (t.amount().testBit(0)) {
        postings.add(new Posting(TransferResult.INSUFFICIENT_FUNDS, null, "odd"));
      } else {
        postings.add(
            new Posting(
                TransferResult.OK,
                new Transfer(
                    t.id(),
                    t.debitAccountId(),
                    t.creditAccountId(),
                    t.amount(),
                    t.asset(),
                    t.reference(),
                    TransferKind.SINGLE,
                    null,
                    null,
                    Instant.now()),
                "ok"));
      }
    }
    return postings;
  }

  private static TransferCommand transfer(int amount) {
    return new TransferCommand(
        Ids.newId(), DEBIT, CREDIT, BigInteger.valueOf(amount), "USD", "ref-" + amount);
  }

  private static void waitUntilQueued(GroupCommit group, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (group.queued() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + group.queued() + " of " + n + " events queued");
      }
      Thread.sleep(5);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("the test never released the first group");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
