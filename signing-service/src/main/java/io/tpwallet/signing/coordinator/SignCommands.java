package io.tpwallet.signing.coordinator;

import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.MessageSigned;
import io.tpwallet.common.event.SignRefused;
import io.tpwallet.common.event.SignRequested;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.inbox.Inbox;
import io.tpwallet.common.outbox.Outbox;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.signing.wire.Wire;
import io.tpwallet.signing.wire.WireCodec;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Service;

/**
 * The payment flow's way in: each {@code sign-requested} command is applied once through the inbox
 * and answered through the outbox, in the same transaction, with one {@code signed} or one {@code
 * sign-refused} event (keyed by the request id). A command for a request id this key already signed
 * is answered with that signature again, without asking the nodes: the request id, not only the
 * event id, is the idempotency key.
 */
@Service
@Profile("!signer")
class SignCommands {

  private static final Logger log = LoggerFactory.getLogger(SignCommands.class);
  static final String CONSUMER = "signing.sign-requested";

  private final Inbox inbox;
  private final Outbox outbox;
  private final Envelope envelope;
  private final SigningKeys keys;
  private final SigningCoordinator coordinator;

  SignCommands(
      Inbox inbox,
      Outbox outbox,
      Envelope envelope,
      SigningKeys keys,
      SigningCoordinator coordinator) {
    this.inbox = inbox;
    this.outbox = outbox;
    this.envelope = envelope;
    this.keys = keys;
    this.coordinator = coordinator;
  }

  @KafkaListener(topics = Topics.SIGNING_SIGN_REQUESTED)
  void signRequested(ConsumerRecord<String, byte[]> record) {
    inbox.apply(CONSUMER, record, event -> answer(envelope.data(event, SignRequested.class)));
  }

  private void answer(SignRequested command) {
    String requestId = command.requestId().toString();
    try {
      // Records read from JSON carry nulls for missing fields, whatever their declared nullness.
      if (isNull(command.keyId())
          || isNull(command.message())
          || isNull(command.asset())
          || isNull(command.amount())
          || isNull(command.destination())) {
        throw CoordinatorProblems.invalid(
            "a sign command needs keyId, message, asset, amount and destination");
      }
      SigningKeys.SigningKey key =
          keys.find(command.keyId())
              .orElseThrow(() -> ProblemException.notFound("No key " + command.keyId()));
      byte[] message;
      try {
        message = WireCodec.unhex(command.message());
      } catch (IllegalArgumentException e) {
        throw CoordinatorProblems.invalid("message must be hex");
      }
      Optional<SigningKeys.EarlierSignature> earlier = keys.signedBefore(key.keyId(), requestId);
      if (earlier.isPresent()) {
        signed(command, earlier.get().signature(), earlier.get().signers(), key);
        return;
      }
      @Nullable List<Wire.Approval> approvals =
          command.approvals() == null
              ? null
              : command.approvals().stream()
                  .map(a -> new Wire.Approval(a.approver(), a.signature()))
                  .toList();
      var context =
          new Wire.PolicyContext(
              requestId, command.asset(), command.amount(), command.destination(), approvals);
      SigningCoordinator.Signed made = coordinator.sign(key, message, context);
      signed(command, made.signature(), made.signers(), key);
    } catch (ProblemException e) {
      var problem = e.toProblemDetail(null);
      Object nodeReason =
          problem.getProperties() == null ? null : problem.getProperties().get("reason");
      String reason = nodeReason instanceof String r && !r.isEmpty() ? r : slug(problem.getType());
      log.info("Sign command {} refused: {} ({})", requestId, reason, problem.getDetail());
      outbox.add(
          Topics.SIGNING_SIGN_REFUSED,
          requestId,
          new SignRefused(
              command.requestId(), command.keyId(), reason, String.valueOf(problem.getDetail())));
    }
  }

  private void signed(
      SignRequested command, byte[] signature, List<Integer> signers, SigningKeys.SigningKey key) {
    outbox.add(
        Topics.SIGNING_SIGNED,
        command.requestId().toString(),
        new MessageSigned(
            command.requestId(),
            key.keyId(),
            WireCodec.hex(signature),
            signers,
            WireCodec.hex(key.groupKey())));
  }

  private static boolean isNull(@Nullable Object value) {
    return value == null;
  }

  /** The last path segment of a problem type: {@code .../problems/not-found} is "not-found". */
  private static String slug(URI type) {
    String path = type.getPath();
    return path == null || path.isEmpty()
        ? type.toString()
        : path.substring(path.lastIndexOf('/') + 1);
  }
}
