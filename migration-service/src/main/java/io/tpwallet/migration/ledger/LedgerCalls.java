package io.tpwallet.migration.ledger;

import io.tpwallet.common.thread.DaemonThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Calls to ledger-service made a few at a time, for the steps that make many of them (opening a
 * job's accounts, limiting its wallets): each call is a round trip and a ledger commit, so one
 * after the other they add up.
 */
final class LedgerCalls {

  private LedgerCalls() {}

  /**
   * Runs {@code calls}, at most {@code atOnce} at a time on daemon threads named {@code thread},
   * and answers their results in the order given once all are done. The first failure fails the
   * whole as it was thrown (a checked one wrapped); {@link LedgerUnavailable} if the caller is
   * interrupted. Calls already done stay done: the caller decides what to undo.
   */
  static <T> List<T> all(List<Callable<T>> calls, int atOnce, String thread, String what) {
    if (calls.isEmpty()) {
      return List.of();
    }
    ExecutorService callers =
        Executors.newFixedThreadPool(Math.min(atOnce, calls.size()), DaemonThreads.named(thread));
    try {
      List<Future<T>> running = new ArrayList<>(calls.size());
      for (Callable<T> call : calls) {
        running.add(callers.submit(call));
      }
      List<T> results = new ArrayList<>(calls.size());
      for (Future<T> call : running) {
        results.add(call.get());
      }
      return results;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException(what + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LedgerUnavailable("interrupted while " + what, e);
    } finally {
      callers.shutdownNow();
    }
  }
}
