package io.tpwallet.ledger.transfer;

import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.HoldPostRequested;
import io.tpwallet.common.event.HoldRequested;
import io.tpwallet.common.event.HoldVoidRequested;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.inbox.Inbox;
import io.tpwallet.common.outbox.Outbox;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Places, posts and voids holds that other services (routing's saga) ask for on Kafka, each through
 * the inbox, and answers each in the same transaction: TransferPending, TransferPosted or
 * TransferVoided when applied (announced by the ledger itself), again on a replay, or
 * TransferRejected with the result code.
 */
@Component
class HoldCommandsListener {

  static final String CONSUMER = "ledger.hold-commands";

  private final Inbox inbox;
  private final Outbox outbox;
  private final Envelope envelope;
  private final TransferService transfers;

  HoldCommandsListener(Inbox inbox, Outbox outbox, Envelope envelope, TransferService transfers) {
    this.inbox = inbox;
    this.outbox = outbox;
    this.envelope = envelope;
    this.transfers = transfers;
  }

  @KafkaListener(
      topics = {
        Topics.LEDGER_HOLD_REQUESTED,
        Topics.LEDGER_HOLD_POST_REQUESTED,
        Topics.LEDGER_HOLD_VOID_REQUESTED
      })
  void onHoldCommand(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        CONSUMER,
        record,
        event -> {
          switch (record.topic()) {
            case Topics.LEDGER_HOLD_REQUESTED -> {
              HoldRequested c = envelope.data(event, HoldRequested.class);
              require(c.transferId(), "transferId");
              require(c.debitAccountId(), "debitAccountId");
              require(c.creditAccountId(), "creditAccountId");
              String reference = Objects.requireNonNullElse(c.reference(), "");
              Posting posting =
                  transfers.post(
                      TransferCommand.hold(
                          c.transferId(),
                          c.debitAccountId(),
                          c.creditAccountId(),
                          TransferRequestedListener.amount(c.amount()),
                          Objects.requireNonNullElse(c.asset(), ""),
                          reference,
                          c.timeoutSeconds()));
              TransferRequestedListener.answer(outbox, posting, c.transferId(), reference);
            }
            case Topics.LEDGER_HOLD_POST_REQUESTED -> {
              HoldPostRequested c = envelope.data(event, HoldPostRequested.class);
              require(c.transferId(), "transferId");
              require(c.pendingId(), "pendingId");
              String reference = Objects.requireNonNullElse(c.reference(), "");
              Posting posting =
                  transfers.resolve(
                      ResolveCommand.post(
                          c.transferId(),
                          c.pendingId(),
                          c.amount() == null ? null : TransferRequestedListener.amount(c.amount()),
                          reference));
              TransferRequestedListener.answer(outbox, posting, c.transferId(), reference);
            }
            case Topics.LEDGER_HOLD_VOID_REQUESTED -> {
              HoldVoidRequested c = envelope.data(event, HoldVoidRequested.class);
              require(c.transferId(), "transferId");
              require(c.pendingId(), "pendingId");
              String reference = Objects.requireNonNullElse(c.reference(), "");
              Posting posting =
                  transfers.resolve(
                      ResolveCommand.voiding(c.transferId(), c.pendingId(), reference));
              TransferRequestedListener.answer(outbox, posting, c.transferId(), reference);
            }
            default -> throw new IllegalArgumentException("not a hold command: " + record.topic());
          }
        });
  }

  /** IllegalArgumentException: parked on the dead-letter topic at once, never retried. */
  private static void require(@Nullable Object value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("hold command without " + field);
    }
  }
}
