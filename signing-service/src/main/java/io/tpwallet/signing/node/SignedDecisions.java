package io.tpwallet.signing.node;

import io.tpwallet.common.thread.DaemonThreads;
import io.tpwallet.signing.wire.Wire;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Raises the per-day totals and records the SIGNED audit rows of round two by group commit: one
 * writer takes every decision waiting, and in one transaction locks each key's day row, admits the
 * decisions in arrival order while the total stays within the day limit, raises the row once and
 * inserts their audit rows; a share leaves the node only after that commit. The limit is as exact
 * as with one transaction per signature (the row is locked, and the admission is computed under the
 * lock), but a busy key pays one durable commit per batch instead of one per signature, whose lock
 * wait had serialised every signature of a key behind the previous one's fsync.
 */
@Component
@Profile("signer")
class SignedDecisions implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(SignedDecisions.class);
  static final int QUEUE_MAX = 10_000;
  static final int BATCH_MAX = 512;
  static final long WAIT_SECONDS_MAX = 30;

  /** A share computed and waiting to be released: what the day total and the audit need. */
  record Decision(
      String keyId,
      LocalDate day,
      BigInteger perDayMax,
      String sessionId,
      Wire.PolicyContext context,
      byte[] messageSha256,
      CompletableFuture<Boolean> admitted) {}

  private final JdbcClient jdbc;
  private final SigningAudit audit;
  private final TransactionTemplate tx;
  // Groups of decisions (one per round-two request, single or batched), each committed as a whole.
  private final BlockingQueue<List<Decision>> queue = new ArrayBlockingQueue<>(QUEUE_MAX);
  private volatile boolean running;
  private Thread writer = new Thread(() -> {});

  SignedDecisions(JdbcClient jdbc, SigningAudit audit, PlatformTransactionManager transactions) {
    this.jdbc = jdbc;
    this.audit = audit;
    this.tx = new TransactionTemplate(transactions);
  }

  /**
   * Waits until the decision is committed: true when it was within the day limit (day total raised,
   * SIGNED audited), false when the day limit refuses it (nothing written).
   */
  boolean admit(
      String keyId,
      LocalDate day,
      BigInteger perDayMax,
      String sessionId,
      Wire.PolicyContext context,
      byte[] messageSha256) {
    return admitAll(List.of(new Request(keyId, day, perDayMax, sessionId, context, messageSha256)))
        .get(0);
  }

  /** What one share to be released needs recorded. */
  record Request(
      String keyId,
      LocalDate day,
      BigInteger perDayMax,
      String sessionId,
      Wire.PolicyContext context,
      byte[] messageSha256) {}

  /**
   * Waits until the decisions of one batched round two are committed, all in the same transaction
   * (a group is never split between two commits): per request, in order, true when it was within
   * the day limit (day total raised, SIGNED audited) and false when the day limit refuses it
   * (nothing written for it). A request refused here does not affect its neighbours.
   */
  List<Boolean> admitAll(List<Request> requests) {
    List<Decision> group = new ArrayList<>(requests.size());
    List<Decision> all = new ArrayList<>(requests.size());
    for (Request r : requests) {
      var decision =
          new Decision(
              r.keyId(),
              r.day(),
              r.perDayMax(),
              r.sessionId(),
              r.context(),
              r.messageSha256(),
              new CompletableFuture<>());
      if (r.context().amount().compareTo(r.perDayMax()) > 0) {
        decision.admitted().complete(false);
      } else {
        group.add(decision);
      }
      all.add(decision);
    }
    try {
      if (!group.isEmpty()
          && (!running || !queue.offer(List.copyOf(group), WAIT_SECONDS_MAX, TimeUnit.SECONDS))) {
        throw NodeProblems.busy("the decision log is stopped or full");
      }
      List<Boolean> admitted = new ArrayList<>(all.size());
      for (Decision d : all) {
        admitted.add(d.admitted().get(WAIT_SECONDS_MAX, TimeUnit.SECONDS));
      }
      return admitted;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw NodeProblems.busy("interrupted while recording the decision");
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      // The shares are withheld: whether the batch committed is unknown, so the day total may count
      // an amount never released (the safe side of the limit).
      throw NodeProblems.busy("the decision was not recorded in " + WAIT_SECONDS_MAX + " s");
    }
  }

  private void run() {
    List<Decision> batch = new ArrayList<>(BATCH_MAX);
    while (running || !queue.isEmpty()) {
      try {
        List<Decision> first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.addAll(first);
        List<Decision> more;
        while (batch.size() < BATCH_MAX && (more = queue.poll()) != null) {
          batch.addAll(more);
        }
        commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      } catch (RuntimeException e) {
        log.error(
            "Recording {} signing decisions failed; their shares are withheld", batch.size(), e);
        batch.forEach(d -> d.admitted().completeExceptionally(e));
      } finally {
        batch.clear();
      }
    }
  }

  private void commit(List<Decision> batch) {
    Map<String, List<Decision>> byDay = new LinkedHashMap<>();
    for (Decision d : batch) {
      byDay.computeIfAbsent(d.keyId() + "|" + d.day(), k -> new ArrayList<>()).add(d);
    }
    Map<Decision, Boolean> outcome = new LinkedHashMap<>();
    tx.executeWithoutResult(
        status -> {
          outcome.clear();
          // Every SIGNED row of the commit, sent as one JDBC batch before it commits.
          List<SigningAudit.Row> rows = new ArrayList<>(batch.size());
          for (List<Decision> group : byDay.values()) {
            Decision head = group.get(0);
            jdbc.sql(
                    "insert into signing_day_total (key_id, day, amount) values (?, ?, 0)"
                        + " on conflict (key_id, day) do nothing")
                .params(head.keyId(), head.day())
                .update();
            BigInteger total =
                jdbc.sql(
                        "select amount from signing_day_total where key_id = ? and day = ?"
                            + " for update")
                    .params(head.keyId(), head.day())
                    .query(BigDecimal.class)
                    .single()
                    .toBigIntegerExact();
            BigInteger start = total;
            Set<String> counted =
                audit.signedBefore(
                    head.keyId(), group.stream().map(d -> d.context().requestId()).toList());
            for (Decision d : group) {
              String payout = SigningAudit.payout(d.context().requestId(), d.messageSha256());
              if (counted.contains(payout)) {
                // The same request and message signed again (a retry after the other node was
                // lost, or a pooled session refused): the same payout, so its amount is in the
                // day total once already.
                rows.add(
                    new SigningAudit.Row(
                        d.keyId(),
                        d.sessionId(),
                        d.context(),
                        d.messageSha256(),
                        "SIGNED",
                        SigningAudit.COUNTED_BEFORE));
                outcome.put(d, true);
                continue;
              }
              BigInteger next = total.add(d.context().amount());
              boolean within = next.compareTo(d.perDayMax()) <= 0;
              if (within) {
                total = next;
                counted.add(payout);
                rows.add(
                    new SigningAudit.Row(
                        d.keyId(), d.sessionId(), d.context(), d.messageSha256(), "SIGNED", null));
              }
              outcome.put(d, within);
            }
            if (!total.equals(start)) {
              jdbc.sql("update signing_day_total set amount = ? where key_id = ? and day = ?")
                  .params(new BigDecimal(total), head.keyId(), head.day())
                  .update();
            }
          }
          audit.recordAll(rows);
        });
    outcome.forEach((d, within) -> d.admitted().complete(within));
  }

  @Override
  public void start() {
    running = true;
    writer = DaemonThreads.thread("signed-decisions", this::run);
    writer.start();
  }

  @Override
  public void stop() {
    running = false;
    try {
      writer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS_MAX));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
