package io.tpwallet.ledger.transfer;

import io.cloudevents.CloudEvent;
import io.tpwallet.common.autoconfig.PlatformKafkaAutoConfiguration;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferRejected;
import io.tpwallet.common.event.TransferRequested;
import io.tpwallet.common.event.TransferReverseRequested;
import io.tpwallet.common.event.TransfersAnswered;
import io.tpwallet.common.event.TransfersRequested;
import io.tpwallet.common.inbox.Inbox;
import io.tpwallet.common.outbox.Outbox;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;

/**
 * Posts the transfers other services ask for on Kafka (live ones, imported history with its
 * historical time, and reversals) and answers each with TransferPosted or TransferRejected; and the
 * batched form (TransfersRequested, many transfers in one record, answered by one
 * TransfersAnswered). The inbox row, the postings and the answer commit in one transaction, so a
 * redelivered command has no second effect and every applied command has exactly one answer.
 */
@Component
class TransferRequestedListener {

  static final String CONSUMER = "ledger.transfer-requested";

  /**
   * The most transfer commands one poll hands the batch listener: what one ledger batch applies in
   * well under a second here, and far below Kafka's poll interval.
   */
  static final int POLL_RECORDS_MAX = 2000;

  /**
   * The most bytes one fetch takes from a partition: Kafka's default (1 MiB) held 1,662 of a
   * migration's transfer commands (564-byte events), so a poll from one partition stopped short of
   * {@link #POLL_RECORDS_MAX}.
   */
  static final int POLL_PARTITION_BYTES_MAX = 4 * 1024 * 1024;

  /**
   * Consumer threads of the transfer commands, by default one per partition of the topic (the
   * platform makes 3): a sender that spreads its commands over keys (migration-service keys them
   * per legacy wallet) has them applied by several batches at once, each key still in order.
   */
  static final String CONSUMERS = "${tpw.ledger.transfer-requested.consumers:3}";

  static final String BATCH_CONSUMER = "ledger.transfers-requested";

  /**
   * The most batched transfer commands one poll hands the batch listener: as many full ones as one
   * ledger batch holds (15 of 512 transfers, 7,680 transfers, about 2.3 MB, within {@link
   * #POLL_PARTITION_BYTES_MAX}).
   */
  static final int BATCH_POLL_RECORDS_MAX =
      TransferService.BATCH_TRANSFERS_MAX / TransfersRequested.TRANSFERS_MAX;

  static final String REVERSE_CONSUMER = "ledger.transfer-reverse-requested";

  private static final Logger log = LoggerFactory.getLogger(TransferRequestedListener.class);
  private static final Pattern AMOUNT = Pattern.compile("-?[0-9]{1,40}");

  private final Inbox inbox;
  private final Outbox outbox;
  private final Envelope envelope;
  private final TransferService transfers;

  TransferRequestedListener(
      Inbox inbox, Outbox outbox, Envelope envelope, TransferService transfers) {
    this.inbox = inbox;
    this.outbox = outbox;
    this.envelope = envelope;
    this.transfers = transfers;
  }

  /**
   * Applies the transfer commands of one poll together: the inbox drops the redelivered ones with
   * one statement, the ledger posts the rest as one batch (one transaction, one statement per
   * table; not linked, so a refused command does not fail its neighbours) and the answers join the
   * outbox in the same transaction. The poll keeps each partition's order, and the batch applies
   * its commands in that order, so the imports of one account stay in order.
   */
  @KafkaListener(
      topics = Topics.LEDGER_TRANSFER_REQUESTED,
      containerFactory = PlatformKafkaAutoConfiguration.BATCH_LISTENER_FACTORY,
      concurrency = CONSUMERS,
      properties = {
        "max.poll.records=" + POLL_RECORDS_MAX,
        "max.partition.fetch.bytes=" + POLL_PARTITION_BYTES_MAX
      })
  void onTransfersRequested(List<ConsumerRecord<String, byte[]>> records) {
    applyPoll(CONSUMER, records, this::parse, this::postAll);
  }

  /**
   * Applies the batched transfer commands of one poll together, as {@link #onTransfersRequested}
   * does with single ones: one inbox row per record (a redelivered record has no second effect),
   * the transfers of all records, in poll order, as ledger batches of at most {@link
   * TransferService#BATCH_TRANSFERS_MAX} in one transaction, and one {@link TransfersAnswered} per
   * record, under the record's key, with each transfer's own result. A record keeps its transfers'
   * order, and the poll each partition's, so a sender that keys a wallet's commands alike has them
   * applied in its order.
   */
  @KafkaListener(
      topics = Topics.LEDGER_TRANSFERS_REQUESTED,
      containerFactory = PlatformKafkaAutoConfiguration.BATCH_LISTENER_FACTORY,
      concurrency = CONSUMERS,
      properties = {
        "max.poll.records=" + BATCH_POLL_RECORDS_MAX,
        "max.partition.fetch.bytes=" + POLL_PARTITION_BYTES_MAX
      })
  void onTransferBatchesRequested(List<ConsumerRecord<String, byte[]>> records) {
    applyPoll(BATCH_CONSUMER, records, this::parseBatch, this::postBatches);
  }

  /**
   * Applies one poll through the inbox; a poll that holds something that can never succeed is
   * applied again record by record, so that the error handler learns which record it is and parks
   * only that one.
   */
  private <T> void applyPoll(
      String consumer,
      List<ConsumerRecord<String, byte[]>> records,
      Function<CloudEvent, T> parse,
      Consumer<List<T>> effect) {
    try {
      inbox.applyAll(consumer, records, parse, effect);
    } catch (BatchListenerFailedException e) {
      throw e;
    } catch (RuntimeException e) {
      if (!refusedForGood(e)) {
        throw e; // the database, a lock, a race: the error handler retries the whole poll
      }
      // Something in the batch can never succeed (a programmer error the parse did not catch).
      log.warn(
          "A poll of {} {} records failed; applying them one by one", records.size(), consumer);
      for (int i = 0; i < records.size(); i++) {
        try {
          inbox.applyAll(consumer, records.subList(i, i + 1), parse, effect);
        } catch (RuntimeException one) {
          throw new BatchListenerFailedException(one.getMessage(), one, i);
        }
      }
    }
  }

  private static boolean refusedForGood(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException || t instanceof JacksonException) {
        return true;
      }
    }
    return false;
  }

  private TransferCommand parse(CloudEvent event) {
    return command(envelope.data(event, TransferRequested.class));
  }

  private void postAll(List<TransferCommand> commands) {
    List<Posting> postings = execute(commands);
    List<Outbox.Message> answers = new ArrayList<>();
    for (int i = 0; i < commands.size(); i++) {
      TransferCommand c = commands.get(i);
      Outbox.Message answer = answer(postings.get(i), c.id(), c.reference());
      if (answer != null) {
        answers.add(answer);
      }
    }
    outbox.addAll(answers);
  }

  /** The transfers of one batched command, with the key its answer goes under. */
  private record Requested(String key, List<TransferCommand> commands) {}

  private Requested parseBatch(CloudEvent event) {
    TransfersRequested batch = envelope.data(event, TransfersRequested.class);
    List<TransferCommand> commands = new ArrayList<>(batch.transfers().size());
    for (TransferRequested r : batch.transfers()) {
      commands.add(command(r));
    }
    return new Requested(Objects.requireNonNullElse(event.getSubject(), ""), commands);
  }

  private void postBatches(List<Requested> requests) {
    List<TransferCommand> commands = new ArrayList<>();
    for (Requested r : requests) {
      commands.addAll(r.commands());
    }
    List<Posting> postings = execute(commands);
    List<Outbox.Message> answers = new ArrayList<>(requests.size());
    int at = 0;
    for (Requested r : requests) {
      List<TransfersAnswered.Answer> results = new ArrayList<>(r.commands().size());
      for (TransferCommand c : r.commands()) {
        results.add(result(postings.get(at++), c));
      }
      answers.add(
          new Outbox.Message(
              Topics.LEDGER_TRANSFERS_ANSWERED, r.key(), new TransfersAnswered(results)));
    }
    outbox.addAll(answers);
  }

  /**
   * Posts the commands in order, as ledger batches of at most {@link
   * TransferService#BATCH_TRANSFERS_MAX}, in the consumer's transaction; one posting per command.
   */
  private List<Posting> execute(List<TransferCommand> commands) {
    List<Posting> postings = new ArrayList<>(commands.size());
    for (int from = 0; from < commands.size(); from += TransferService.BATCH_TRANSFERS_MAX) {
      postings.addAll(
          transfers.execute(
              commands.subList(
                  from, Math.min(commands.size(), from + TransferService.BATCH_TRANSFERS_MAX))));
    }
    return postings;
  }

  /**
   * A transfer's result in a batched answer: POSTED for one written now or posted before under the
   * same id (a replay), else the refusal code. A replay of an id the ledger holds as something else
   * (a hold) is answered EXISTS: the sender asked for a transfer that is not what it got.
   */
  static TransfersAnswered.Answer result(Posting posting, TransferCommand command) {
    Transfer transfer = posting.transfer();
    boolean posted =
        posting.result() == TransferResult.OK
            || (posting.result() == TransferResult.EXISTS
                && transfer != null
                && transfer.kind().posts());
    if (!posted) {
      log.info("Refused transfer {} ({}): {}", command.id(), posting.result(), posting.detail());
    }
    return new TransfersAnswered.Answer(
        command.id(),
        command.reference(),
        posted ? TransfersAnswered.POSTED : posting.result().name(),
        posted ? "" : posting.detail());
  }

  @KafkaListener(topics = Topics.LEDGER_TRANSFER_REVERSE_REQUESTED)
  void onReverseRequested(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        REVERSE_CONSUMER,
        record,
        event -> {
          TransferReverseRequested c = envelope.data(event, TransferReverseRequested.class);
          requireField(c.transferId(), "transferId");
          requireField(c.reversesId(), "reversesId");
          String reference = Objects.requireNonNullElse(c.reference(), "");
          BigInteger amount = c.amount() == null ? null : amount(c.amount());
          Posting posting =
              transfers.reverse(
                  ReverseCommand.of(c.transferId(), c.reversesId(), amount, reference));
          answer(outbox, posting, c.transferId(), reference);
        });
  }

  /** Answers a command in the consumer's transaction, if it needs an answer of its own. */
  static void answer(Outbox outbox, Posting posting, UUID transferId, @Nullable String reference) {
    Outbox.Message answer = answer(posting, transferId, reference);
    if (answer != null) {
      outbox.add(answer.topic(), answer.aggregateId(), answer.data());
    }
  }

  /**
   * The answer a command needs besides what the batch announces. A transfer written now was
   * announced by the ledger itself (TransferPosted, TransferPending, ...): none; a replay is
   * announced again, so that a sender that retries gets an answer; a refusal is TransferRejected.
   */
  static Outbox.@Nullable Message answer(
      Posting posting, UUID transferId, @Nullable String reference) {
    String aggregate = transferId.toString();
    Transfer transfer = posting.transfer();
    if (posting.result() == TransferResult.OK) {
      return null;
    }
    if (posting.result() == TransferResult.EXISTS && transfer != null) {
      return LedgerEvents.message(transfer);
    }
    log.info("Refused transfer {} ({}): {}", aggregate, posting.result(), posting.detail());
    return new Outbox.Message(
        Topics.LEDGER_TRANSFER_REJECTED,
        aggregate,
        new TransferRejected(
            transferId,
            Objects.requireNonNullElse(reference, ""),
            posting.result().name(),
            posting.detail()));
  }

  /**
   * Turns the command into a ledger command. A command whose amount is not an integer is refused as
   * INVALID_AMOUNT (the sender gets an answer); one without ids cannot be answered and fails, so
   * that the error handler parks it on the dead-letter topic.
   */
  private static TransferCommand command(TransferRequested r) {
    // IllegalArgumentException, not NullPointerException: the platform's error handler parks it
    // on the dead-letter topic at once instead of retrying a command that can never succeed.
    requireField(r.transferId(), "transferId");
    requireField(r.debitAccountId(), "debitAccountId");
    requireField(r.creditAccountId(), "creditAccountId");
    String reference = Objects.requireNonNullElse(r.reference(), "");
    String asset = Objects.requireNonNullElse(r.asset(), "");
    // An import with one of importedAt and legacyRef but not the other, or a legacyRef out of
    // bounds, makes TransferCommand throw IllegalArgumentException: parked, as a malformed command.
    return new TransferCommand(
        r.transferId(),
        r.debitAccountId(),
        r.creditAccountId(),
        amount(r.amount()),
        asset,
        reference,
        false,
        0,
        false,
        r.importedAt(),
        r.legacyRef());
  }

  /** A non-integer amount becomes 0, which the ledger refuses as INVALID_AMOUNT (an answer). */
  static BigInteger amount(@Nullable String amount) {
    return amount != null && AMOUNT.matcher(amount).matches()
        ? new BigInteger(amount)
        : BigInteger.ZERO;
  }

  private static void requireField(@Nullable Object value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("ledger command without " + field);
    }
  }
}
