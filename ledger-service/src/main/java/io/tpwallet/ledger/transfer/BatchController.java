package io.tpwallet.ledger.transfer;

import io.swagger.v3.oas.annotations.Operation;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Applies up to {@value TransferService#BATCH_TRANSFERS_MAX} transfers, holds, posts and voids in
 * one request and one database transaction, with a result per event (TigerBeetle's
 * create_transfers). Events marked {@code linked} form a chain with the next ones that succeeds or
 * fails as a whole.
 */
@RestController
class BatchController {

  /** The most digits an amount may have: NUMERIC(39,0). */
  static final int AMOUNT_DIGITS_MAX = 39;

  private final TransferService transfers;

  BatchController(TransferService transfers) {
    this.transfers = transfers;
  }

  /** What an event of a batch asks for. */
  enum EventType {
    TRANSFER,
    HOLD,
    POST,
    VOID,
    REVERSE
  }

  /** One event of a batch: the fields of a transfer or of a post/void, its type and its link. */
  record BatchEvent(
      @Nullable EventType type,
      @Nullable UUID id,
      @Nullable UUID debitAccountId,
      @Nullable UUID creditAccountId,
      @Nullable String amount,
      @Nullable String asset,
      @Nullable String reference,
      @Nullable Long timeoutSeconds,
      @Nullable UUID pendingId,
      @Nullable Boolean linked,
      @Nullable UUID reversesId,
      @Nullable Instant importedAt,
      @Nullable String legacyRef,
      @Nullable JsonNode metadata) {}

  record BatchRequest(@Nullable List<@Nullable BatchEvent> events) {}

  /** The result of one event: its index in the request, its id and the result code. */
  record EventResult(int index, UUID id, String result) {}

  record BatchResponse(int applied, List<EventResult> results) {}

  /**
   * Applies a batch: 200 with one result per event, in order (OK, EXISTS or a refusal code). An
   * event that is malformed (missing id, non-integer amount, unknown asset ...) refuses the whole
   * request before anything is applied: 400 (or 422 for an unknown asset), nothing written.
   */
  @Operation(
      summary = "Apply a batch",
      description =
          "Up to 8,189 events (TRANSFER, HOLD, POST, VOID, REVERSE) in one transaction with one result code per event; linked events succeed or fail together. A malformed event refuses the whole request (400), nothing written.")
  @PostMapping("/v1/ledger/batches")
  BatchResponse apply(@RequestBody BatchRequest request) {
    List<@Nullable BatchEvent> events = request.events();
    if (events == null || events.isEmpty()) {
      throw ProblemException.badRequest(
          ProblemTypes.VALIDATION, "Empty batch", "A batch has at least one event.");
    }
    if (events.size() > TransferService.BATCH_TRANSFERS_MAX) {
      throw ProblemException.badRequest(
          ProblemTypes.of("batch-too-large"),
          "Batch too large",
          "A batch has at most "
              + TransferService.BATCH_TRANSFERS_MAX
              + " events, not "
              + events.size()
              + ".");
    }
    List<LedgerCommand> commands = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      commands.add(command(i, events.get(i)));
    }
    List<Posting> postings = transfers.execute(commands);
    List<EventResult> results = new ArrayList<>(postings.size());
    int applied = 0;
    for (int i = 0; i < postings.size(); i++) {
      TransferResult result = postings.get(i).result();
      applied += result == TransferResult.OK ? 1 : 0;
      results.add(new EventResult(i, commands.get(i).id(), result.name()));
    }
    return new BatchResponse(applied, results);
  }

  private static LedgerCommand command(int index, @Nullable BatchEvent e) {
    if (e == null || e.type() == null) {
      throw invalid(index, "type", "must be one of TRANSFER, HOLD, POST, VOID, REVERSE");
    }
    boolean linked = Boolean.TRUE.equals(e.linked());
    String amount = e.amount();
    if (amount != null && amount.replace("-", "").length() > AMOUNT_DIGITS_MAX) {
      // Past NUMERIC(39,0): refused with the whole batch rather than as one event's result.
      throw invalid(index, "amount", "has more than " + AMOUNT_DIGITS_MAX + " digits");
    }
    try {
      return switch (e.type()) {
        case TRANSFER, HOLD ->
            TransferController.validate(
                    new TransferController.TransferRequest(
                        e.id(),
                        e.debitAccountId(),
                        e.creditAccountId(),
                        e.amount(),
                        e.asset(),
                        e.reference(),
                        e.type() == EventType.HOLD,
                        e.timeoutSeconds(),
                        e.importedAt(),
                        e.legacyRef(),
                        e.metadata()))
                .withLinked(linked);
        case POST, VOID -> {
          if (e.pendingId() == null) {
            throw invalid(index, "pendingId", "is required");
          }
          yield TransferController.validate(
                  new TransferController.ResolveRequest(e.id(), e.amount(), e.reference()),
                  e.pendingId(),
                  e.type() == EventType.POST ? TransferKind.POST : TransferKind.VOID)
              .withLinked(linked);
        }
        case REVERSE -> {
          if (e.reversesId() == null) {
            throw invalid(index, "reversesId", "is required");
          }
          yield TransferController.validate(
                  new TransferController.ResolveRequest(e.id(), e.amount(), e.reference()),
                  e.reversesId())
              .withLinked(linked);
        }
      };
    } catch (ProblemException problem) {
      throw new ProblemException(
          problem.status(),
          ProblemTypes.of(
              problem.status() == HttpStatus.BAD_REQUEST ? "validation" : "unknown-asset"),
          "Invalid event",
          "Event " + index + ": " + problem.getMessage(),
          Map.of("index", index));
    }
  }

  private static ProblemException invalid(int index, String field, String message) {
    return new ProblemException(
        HttpStatus.BAD_REQUEST,
        ProblemTypes.VALIDATION,
        "Invalid event",
        "Event " + index + ": " + field + " " + message.toLowerCase(Locale.ROOT) + ".",
        Map.of("index", index, "errors", List.of(Map.of("field", field, "message", message))));
  }
}
