package io.tpwallet.ledger.transfer;

import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.event.TransferRejected;
import io.tpwallet.common.event.TransferRequested;
import io.tpwallet.common.event.TransferReverseRequested;
import io.tpwallet.common.inbox.Inbox;
import io.tpwallet.common.outbox.Outbox;
import java.math.BigInteger;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Posts the transfers other services ask for on Kafka (live ones, imported history with its
 * historical time, and reversals) and answers each with TransferPosted or TransferRejected. The
 * inbox row, the postings and the answer commit in one transaction, so a redelivered command has no
 * second effect and every applied command has exactly one answer.
 */
@Component
class TransferRequestedListener {

  static final String CONSUMER = "ledger.transfer-requested";

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

  @KafkaListener(topics = Topics.LEDGER_TRANSFER_REQUESTED)
  void onTransferRequested(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        CONSUMER,
        record,
        event -> {
          TransferRequested requested = envelope.data(event, TransferRequested.class);
          String aggregate = requested.transferId().toString();
          Posting posting = post(requested);
          answer(outbox, posting, requested.transferId(), requested.reference());
        });
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

  /**
   * Answers a command in the consumer's transaction. A transfer written now was announced by the
   * ledger itself (TransferPosted, TransferPending, ...); a replay is announced again, so that a
   * sender that retries gets an answer; a refusal is TransferRejected.
   */
  static void answer(Outbox outbox, Posting posting, UUID transferId, @Nullable String reference) {
    String aggregate = transferId.toString();
    Transfer transfer = posting.transfer();
    if (posting.result() == TransferResult.OK) {
      return;
    }
    if (posting.result() == TransferResult.EXISTS && transfer != null) {
      if (transfer.kind().posts()) {
        outbox.add(Topics.LEDGER_TRANSFER_POSTED, aggregate, LedgerEvents.posted(transfer));
      } else {
        new LedgerEvents(outbox).transferWritten(transfer);
      }
      return;
    }
    log.info("Refused transfer {} ({}): {}", aggregate, posting.result(), posting.detail());
    outbox.add(
        Topics.LEDGER_TRANSFER_REJECTED,
        aggregate,
        new TransferRejected(
            transferId,
            Objects.requireNonNullElse(reference, ""),
            posting.result().name(),
            posting.detail()));
  }

  /**
   * Turns the command into a posting. A command whose amount is not an integer is refused as
   * INVALID_AMOUNT (the sender gets an answer); one without ids cannot be answered and fails, so
   * that the error handler parks it on the dead-letter topic.
   */
  private Posting post(TransferRequested r) {
    // IllegalArgumentException, not NullPointerException: the platform's error handler parks it
    // on the dead-letter topic at once instead of retrying a command that can never succeed.
    requireField(r.transferId(), "transferId");
    requireField(r.debitAccountId(), "debitAccountId");
    requireField(r.creditAccountId(), "creditAccountId");
    String reference = Objects.requireNonNullElse(r.reference(), "");
    String asset = Objects.requireNonNullElse(r.asset(), "");
    // An import with one of importedAt and legacyRef but not the other, or a legacyRef out of
    // bounds, makes TransferCommand throw IllegalArgumentException: parked, as a malformed command.
    return transfers.post(
        new TransferCommand(
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
            r.legacyRef()));
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
