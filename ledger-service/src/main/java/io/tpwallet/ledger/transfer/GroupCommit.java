package io.tpwallet.ledger.transfer;

import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import io.tpwallet.common.thread.DaemonThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;
import org.springframework.http.HttpStatus;

/**
 * Group commit (TigerBeetle, and PostgreSQL's own commit_delay): single events that arrive
 * concurrently are queued and applied together as one batch in one transaction, so that N requests
 * pay for one commit (one WAL flush), one lock of their accounts and one balance update per account
 * instead of N. Each request keeps its own result: the events of a group are unlinked, so the batch
 * decides each on its own, in arrival order, exactly as if they had come one after another.
 *
 * <p>A group that fails as a whole (a database error, an id race that outlasted its retries) is not
 * allowed to fail its members: each is then applied again on its own, so one bad event never costs
 * the others their answer. The queue and the wait are bounded: a full queue or a group that does
 * not answer in time is refused with 503, and the caller retries with the same id, which replays
 * the transfer if it did commit.
 *
 * <p>Several workers may take groups from the one queue, so that one group decides and writes while
 * another waits for its round trips and its commit. Their transactions are then concurrent batches
 * like a batch request beside a Kafka consumer's: accounts they share are locked in id order (the
 * later group waits for the earlier one's commit, and reads its balances), the chain lock orders
 * their links, and an id that two groups carry is written by one and replayed by the other.
 */
final class GroupCommit implements AutoCloseable {

  /** Events waiting for a group: about a second of the hot path's throughput. */
  static final int QUEUE_EVENTS_MAX = 16_384;

  /** The most groups committing at once: each holds a database connection while it does. */
  static final int WORKERS_MAX = 8;

  /** How long a request waits to be queued and then for its answer. */
  static final long WAIT_MS_MAX = 10_000;

  private final BlockingQueue<Waiting> queue = new ArrayBlockingQueue<>(QUEUE_EVENTS_MAX);
  private final Function<List<LedgerCommand>, List<Posting>> apply;
  private final int groupEventsMax;
  private final List<Thread> workers;
  private volatile boolean closed;

  private record Waiting(LedgerCommand command, CompletableFuture<Posting> answer) {}

  /**
   * @param apply applies a batch of unlinked events in one transaction, one result per event
   * @param groupEventsMax the most events one group carries
   */
  GroupCommit(Function<List<LedgerCommand>, List<Posting>> apply, int groupEventsMax) {
    this(apply, groupEventsMax, 1);
  }

  /**
   * @param apply applies a batch of unlinked events in one transaction, one result per event;
   *     called by {@code workers} threads at once
   * @param groupEventsMax the most events one group carries
   * @param workers how many groups may be committing at the same time, 1..{@link #WORKERS_MAX}
   */
  GroupCommit(Function<List<LedgerCommand>, List<Posting>> apply, int groupEventsMax, int workers) {
    if (groupEventsMax < 1) {
      throw new IllegalArgumentException("groupEventsMax must be at least 1: " + groupEventsMax);
    }
    if (workers < 1 || workers > WORKERS_MAX) {
      throw new IllegalArgumentException("workers must be 1.." + WORKERS_MAX + ": " + workers);
    }
    this.apply = apply;
    this.groupEventsMax = groupEventsMax;
    ThreadFactory threads = DaemonThreads.named("ledger-group-commit");
    this.workers = Stream.generate(() -> threads.newThread(this::run)).limit(workers).toList();
    this.workers.forEach(Thread::start);
  }

  /** Applies one unlinked event as part of the next group, and answers its own result. */
  Posting submit(LedgerCommand command) {
    if (command.linked()) {
      throw new IllegalArgumentException("a linked event belongs to its chain, not to a group");
    }
    Waiting waiting = new Waiting(command, new CompletableFuture<>());
    try {
      if (closed || !queue.offer(waiting, WAIT_MS_MAX, TimeUnit.MILLISECONDS)) {
        throw unavailable("the ledger's commit queue is full");
      }
      return waiting.answer().get(WAIT_MS_MAX, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted while waiting for the commit");
    } catch (TimeoutException e) {
      throw unavailable("the commit did not answer in " + WAIT_MS_MAX + " ms");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Events waiting for a group now. */
  int queued() {
    return queue.size();
  }

  private static ProblemException unavailable(String detail) {
    return new ProblemException(
        HttpStatus.SERVICE_UNAVAILABLE,
        ProblemTypes.of("ledger-busy"),
        "Ledger busy",
        detail + "; retry with the same id");
  }

  private void run() {
    List<Waiting> group = new ArrayList<>(groupEventsMax);
    while (!closed) {
      try {
        Waiting first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        queue.drainTo(group, groupEventsMax - 1);
        commit(group);
      } catch (InterruptedException e) {
        break;
      } catch (RuntimeException | Error e) {
        // commit answers every member; this is a defect in answering, not in the ledger.
        group.forEach(w -> w.answer().completeExceptionally(e));
      } finally {
        group.clear();
      }
    }
    // Whichever worker stops last refuses what is left; drainTo hands each event to one of them.
    List<Waiting> left = new ArrayList<>();
    queue.drainTo(left);
    left.forEach(w -> w.answer().completeExceptionally(unavailable("the ledger is stopping")));
  }

  private void commit(List<Waiting> group) {
    List<LedgerCommand> commands = new ArrayList<>(group.size());
    for (Waiting w : group) {
      commands.add(w.command());
    }
    List<Posting> postings;
    try {
      postings = apply.apply(commands);
    } catch (RuntimeException e) {
      if (group.size() == 1) {
        group.get(0).answer().completeExceptionally(e);
        return;
      }
      // Isolate the failure: each member alone, so that only the event that fails, fails.
      for (Waiting w : group) {
        try {
          w.answer().complete(apply.apply(List.of(w.command())).get(0));
        } catch (RuntimeException alone) {
          w.answer().completeExceptionally(alone);
        }
      }
      return;
    }
    for (int i = 0; i < group.size(); i++) {
      group.get(i).answer().complete(postings.get(i));
    }
  }

  @Override
  public void close() {
    closed = true;
    workers.forEach(Thread::interrupt);
    try {
      for (Thread worker : workers) {
        worker.join(WAIT_MS_MAX);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
