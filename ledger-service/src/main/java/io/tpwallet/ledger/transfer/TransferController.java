package io.tpwallet.ledger.transfer;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.swagger.v3.oas.annotations.Operation;
import io.tpwallet.common.money.Asset;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import io.tpwallet.ledger.account.Accounts;
import java.math.BigInteger;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** Posts transfers, shows them, and lists an account's entries (its statement). */
@RestController
class TransferController {

  /** Digits only, optionally negative (a negative amount is the ledger's INVALID_AMOUNT). */
  private static final Pattern AMOUNT = Pattern.compile("-?[0-9]{1,40}");

  static final int ENTRIES_PAGE_SIZE_DEFAULT = 50;

  private final TransferService transfers;
  private final Accounts accounts;

  TransferController(TransferService transfers, Accounts accounts) {
    this.transfers = transfers;
    this.accounts = accounts;
  }

  /** The body of {@code POST /v1/ledger/transfers}; amounts are strings of minor units. */
  record TransferRequest(
      @Nullable UUID id,
      @Nullable UUID debitAccountId,
      @Nullable UUID creditAccountId,
      @Nullable String amount,
      @Nullable String asset,
      @Nullable String reference,
      @Nullable Boolean pending,
      @Nullable Long timeoutSeconds,
      @Nullable Instant importedAt,
      @Nullable String legacyRef,
      @Nullable JsonNode metadata) {}

  /** The body of {@code POST /v1/ledger/transfers/{pendingId}/post} and {@code .../void}. */
  record ResolveRequest(@Nullable UUID id, @Nullable String amount, @Nullable String reference) {}

  /**
   * A transfer as clients see it. {@code kind} is SINGLE, PENDING (a hold), POST, VOID or EXPIRE;
   * {@code status} is PENDING, POSTED, VOIDED or EXPIRED; {@code pendingId} names the hold a POST,
   * VOID or EXPIRE resolves.
   */
  record TransferResponse(
      UUID id,
      UUID debitAccountId,
      UUID creditAccountId,
      String amount,
      String asset,
      String reference,
      String kind,
      String status,
      @Nullable UUID pendingId,
      @Nullable Instant timeoutAt,
      Instant createdAt,
      @Nullable UUID reversesId,
      @Nullable String legacyRef,
      @JsonRawValue @Nullable String metadata) {

    static TransferResponse of(Transfer t, String status) {
      return new TransferResponse(
          t.id(),
          t.debitAccountId(),
          t.creditAccountId(),
          t.amount().toString(),
          t.asset(),
          t.reference(),
          t.kind().name(),
          status,
          t.pendingId(),
          t.timeoutAt(),
          t.createdAt(),
          t.reversesId(),
          t.legacyRef(),
          t.metadata());
    }

    /** A transfer just written or replayed: a new hold is PENDING, anything else by its kind. */
    static TransferResponse written(Transfer t) {
      String status =
          switch (t.kind()) {
            case PENDING -> "PENDING";
            case SINGLE, POST -> "POSTED";
            case VOID -> "VOIDED";
            case EXPIRE -> "EXPIRED";
          };
      return of(t, status);
    }
  }

  record EntryResponse(
      long id,
      UUID transferId,
      String direction,
      String amount,
      String asset,
      UUID counterpartyAccountId,
      String reference,
      Instant createdAt) {}

  record EntriesResponse(UUID accountId, List<EntryResponse> entries, @Nullable Long nextBefore) {}

  /**
   * Posts a transfer: 201 when posted now, 200 when the same transfer was posted before, 422
   * (idempotency-key-reused) when the id was used for another transfer, 422 with a stable problem
   * type when the ledger refuses.
   */
  @Operation(
      summary = "Post a transfer or place a hold",
      description =
          "The caller-made id is the idempotency key: 201 posted now, 200 the same transfer again, 422 a refusal with a stable problem type and code (insufficient funds, id reused with other fields ...). Optional Idempotency-Key header (IETF draft). Accepts bounded JSON metadata and, for imported history, importedAt with legacyRef.")
  @PostMapping("/v1/ledger/transfers")
  ResponseEntity<TransferResponse> post(@RequestBody TransferRequest request) {
    TransferCommand command = validate(request);
    return answer(transfers.post(command), command);
  }

  /**
   * Posts the hold {@code pendingId}: all of it, or {@code amount} of it (the rest is released).
   * 201 when posted now, 200 on a replay, 422 when the hold is unknown, already resolved, expired
   * or holds less than asked.
   */
  @Operation(
      summary = "Post a hold",
      description =
          "Posts all of the hold or the given amount of it (the rest is released), exactly once. 201, 200 on a replay, 422 when unknown, resolved, expired or asked for more than held.")
  @PostMapping("/v1/ledger/transfers/{pendingId}/post")
  ResponseEntity<TransferResponse> postHold(
      @PathVariable UUID pendingId, @RequestBody ResolveRequest request) {
    ResolveCommand command = validate(request, pendingId, TransferKind.POST);
    return answer(transfers.resolve(command), command);
  }

  /** Voids the hold {@code pendingId}, releasing all of it. Answers as the post does. */
  @Operation(
      summary = "Void a hold",
      description =
          "Releases the whole hold, exactly once. 201, 200 on a replay, 422 when unknown, resolved or expired.")
  @PostMapping("/v1/ledger/transfers/{pendingId}/void")
  ResponseEntity<TransferResponse> voidHold(
      @PathVariable UUID pendingId, @RequestBody ResolveRequest request) {
    ResolveCommand command = validate(request, pendingId, TransferKind.VOID);
    return answer(transfers.resolve(command), command);
  }

  /**
   * Reverses the posted transfer {@code id}: a new transfer the other way that names it ({@code
   * reversesId}); the original never changes. Without {@code amount} all that is left to reverse,
   * with it part of it; reversals of one transfer add up to at most its amount. 201 when applied
   * now, 200 on a replay, 422 when the transfer is unknown, not reversible (a hold, void, expiry or
   * itself a reversal), already wholly reversed, asked for more than is left, or when the limits of
   * the accounts refuse it (a wallet that has spent the money: insufficient-funds).
   */
  @Operation(
      summary = "Reverse a transfer",
      description =
          "A new transfer the other way referencing the original (which never changes): all that is left, or the given amount. 201, 200 on a replay, 422 when not reversible or more than is left.")
  @PostMapping("/v1/ledger/transfers/{id}/reverse")
  ResponseEntity<TransferResponse> reverse(
      @PathVariable UUID id, @RequestBody ResolveRequest request) {
    ReverseCommand command = validate(request, id);
    return answer(transfers.reverse(command), command);
  }

  static ReverseCommand validate(ResolveRequest r, UUID originalId) {
    List<Map<String, String>> errors = new ArrayList<>();
    requirePresent(errors, "id", r.id());
    String amount = r.amount();
    if (amount != null) {
      checkAmount(errors, amount);
    }
    String reference = reference(errors, r.reference());
    if (!errors.isEmpty()) {
      throw invalid(errors);
    }
    return new ReverseCommand(
        required(r.id()),
        originalId,
        amount == null ? null : new BigInteger(amount),
        reference,
        false);
  }

  private static ResponseEntity<TransferResponse> answer(Posting posting, LedgerCommand command) {
    Transfer transfer = posting.transfer();
    return switch (posting.result()) {
      case OK ->
          ResponseEntity.created(URI.create("/v1/ledger/transfers/" + command.id()))
              .body(TransferResponse.written(required(transfer)));
      case EXISTS -> ResponseEntity.ok(TransferResponse.written(required(transfer)));
      default -> throw refusal(posting, command);
    };
  }

  @Operation(
      summary = "Show a transfer",
      description =
          "The transfer with its current status (a hold: PENDING, POSTED, VOIDED or EXPIRED). 404 when unknown.")
  @GetMapping("/v1/ledger/transfers/{id}")
  TransferResponse get(@PathVariable UUID id) {
    return transfers
        .find(id)
        .map(t -> TransferResponse.of(t, transfers.status(t)))
        .orElseThrow(
            () ->
                transfers
                    .archivedMonthOf(id)
                    .map(
                        month ->
                            new ProblemException(
                                HttpStatus.NOT_FOUND,
                                ProblemTypes.of("transfer-archived"),
                                "Transfer archived",
                                "Transfer "
                                    + id
                                    + " is in "
                                    + month
                                    + ", which is archived; restore the month to read it.",
                                Map.of("archivedMonth", month.toString())))
                    .orElseGet(() -> ProblemException.notFound("No transfer " + id + ".")));
  }

  /**
   * An account's entries, newest first, at most {@code limit} (1..200); pass {@code nextBefore} of
   * a page as {@code before} to read the next one.
   */
  @Operation(
      summary = "List an account's entries",
      description = "Newest first, 1..200 per page, nextBefore for the next page.")
  @GetMapping("/v1/ledger/accounts/{id}/entries")
  EntriesResponse entries(
      @PathVariable UUID id,
      @RequestParam(defaultValue = "" + ENTRIES_PAGE_SIZE_DEFAULT) int limit,
      @RequestParam(required = false) @Nullable Long before) {
    if (limit < 1 || limit > TransferService.ENTRIES_PAGE_SIZE_MAX) {
      throw ProblemException.badRequest(
          ProblemTypes.VALIDATION,
          "Invalid parameter",
          "limit must be 1-" + TransferService.ENTRIES_PAGE_SIZE_MAX + ".");
    }
    if (accounts.find(id).isEmpty()) {
      throw ProblemException.notFound("No account " + id + ".");
    }
    List<Entry> page = transfers.entries(id, limit, before);
    List<EntryResponse> lines =
        page.stream()
            .map(
                e ->
                    new EntryResponse(
                        e.id(),
                        e.transferId(),
                        e.direction().name(),
                        e.amount().toString(),
                        e.asset(),
                        e.counterpartyAccountId(),
                        e.reference(),
                        e.createdAt()))
            .toList();
    Long next = page.size() == limit ? page.get(page.size() - 1).id() : null;
    return new EntriesResponse(id, lines, next);
  }

  static ResolveCommand validate(ResolveRequest r, UUID pendingId, TransferKind kind) {
    List<Map<String, String>> errors = new ArrayList<>();
    requirePresent(errors, "id", r.id());
    String amount = r.amount();
    if (amount != null) {
      checkAmount(errors, amount);
    }
    if (amount != null && kind != TransferKind.POST) {
      errors.add(error("amount", "a void releases the whole hold and takes no amount"));
    }
    String reference = reference(errors, r.reference());
    if (!errors.isEmpty()) {
      throw invalid(errors);
    }
    return new ResolveCommand(
        required(r.id()),
        pendingId,
        kind,
        amount == null ? null : new BigInteger(amount),
        reference,
        false);
  }

  static ProblemException invalid(List<Map<String, String>> errors) {
    return new ProblemException(
        HttpStatus.BAD_REQUEST,
        ProblemTypes.VALIDATION,
        "Invalid request",
        "The request has " + errors.size() + " invalid field(s).",
        Map.of("errors", errors));
  }

  private static final String AMOUNT_MESSAGE =
      "must be a string of integer minor units, e.g. \"2500\"";

  /** Adds an error unless {@code amount} is a string of integer minor units. */
  private static void checkAmount(List<Map<String, String>> errors, String amount) {
    if (!AMOUNT.matcher(amount).matches()) {
      errors.add(error("amount", AMOUNT_MESSAGE));
    }
  }

  /** The reference, empty when absent; an error when it is longer than a transfer may carry. */
  private static String reference(List<Map<String, String>> errors, @Nullable String given) {
    String reference = given == null ? "" : given;
    if (reference.length() > TransferCommand.REFERENCE_LENGTH_MAX) {
      errors.add(
          error(
              "reference",
              "must be at most " + TransferCommand.REFERENCE_LENGTH_MAX + " characters"));
    }
    return reference;
  }

  static TransferCommand validate(TransferRequest r) {
    List<Map<String, String>> errors = new ArrayList<>();
    requirePresent(errors, "id", r.id());
    requirePresent(errors, "debitAccountId", r.debitAccountId());
    requirePresent(errors, "creditAccountId", r.creditAccountId());
    String amount = r.amount();
    if (amount == null) {
      errors.add(error("amount", AMOUNT_MESSAGE));
    } else {
      checkAmount(errors, amount);
    }
    String asset = r.asset();
    if (asset == null || asset.isBlank()) {
      errors.add(error("asset", "is required"));
    }
    String reference = reference(errors, r.reference());
    boolean pending = Boolean.TRUE.equals(r.pending());
    long timeoutSeconds = r.timeoutSeconds() == null ? 0 : r.timeoutSeconds();
    if (timeoutSeconds < 0 || timeoutSeconds > TransferCommand.TIMEOUT_SECONDS_MAX) {
      errors.add(error("timeoutSeconds", "must be 0.." + TransferCommand.TIMEOUT_SECONDS_MAX));
    } else if (timeoutSeconds > 0 && !pending) {
      errors.add(error("timeoutSeconds", "only a hold (pending: true) has a timeout"));
    }
    Instant importedAt = r.importedAt();
    String legacyRef = r.legacyRef();
    if ((importedAt == null) != (legacyRef == null)) {
      errors.add(error("legacyRef", "an imported transfer has both importedAt and legacyRef"));
    }
    if (legacyRef != null
        && (legacyRef.isEmpty() || legacyRef.length() > TransferCommand.LEGACY_REF_LENGTH_MAX)) {
      errors.add(
          error(
              "legacyRef", "must be 1.." + TransferCommand.LEGACY_REF_LENGTH_MAX + " characters"));
    }
    if (importedAt != null && pending) {
      errors.add(error("importedAt", "an imported transfer posts; holds are not imported"));
    }
    TransferMetadata.Result metadata = TransferMetadata.canonical(r.metadata());
    if (metadata.refusal() != null) {
      errors.add(error("metadata", metadata.refusal()));
    }
    if (!errors.isEmpty()) {
      throw invalid(errors);
    }
    Asset known =
        Asset.find(asset)
            .orElseThrow(
                () ->
                    ProblemException.unprocessable(
                        ProblemTypes.UNKNOWN_ASSET,
                        "Unknown asset",
                        "The asset " + asset.toUpperCase(Locale.ROOT) + " is not supported."));
    return new TransferCommand(
        required(r.id()),
        required(r.debitAccountId()),
        required(r.creditAccountId()),
        new BigInteger(required(amount)),
        known.code(),
        reference,
        pending,
        timeoutSeconds,
        false,
        importedAt,
        legacyRef,
        metadata.text());
  }

  /** The problem a refusal is answered with: a stable type per result code. */
  static ProblemException refusal(Posting posting, LedgerCommand command) {
    TransferResult result = posting.result();
    Map<String, Object> properties = Map.of("code", result.name(), "transferId", command.id());
    return switch (result) {
      case EXISTS_WITH_DIFFERENT_FIELDS ->
          // The transfer id is the caller's idempotency key: reused with another body (IETF draft).
          new ProblemException(
              HttpStatus.UNPROCESSABLE_CONTENT,
              ProblemTypes.IDEMPOTENCY_KEY_REUSED,
              "Transfer id reused",
              posting.detail(),
              properties);
      case INSUFFICIENT_FUNDS ->
          unprocessable(ProblemTypes.INSUFFICIENT_FUNDS, "Insufficient funds", posting, properties);
      case ACCOUNT_NOT_FOUND ->
          unprocessable(
              ProblemTypes.of("account-not-found"), "Account not found", posting, properties);
      case ASSET_MISMATCH ->
          unprocessable(ProblemTypes.of("asset-mismatch"), "Asset mismatch", posting, properties);
      case SAME_ACCOUNT ->
          unprocessable(ProblemTypes.of("same-account"), "Same account", posting, properties);
      case EXCEEDS_DEBITS ->
          unprocessable(ProblemTypes.of("exceeds-debits"), "Exceeds debits", posting, properties);
      case INVALID_AMOUNT ->
          unprocessable(ProblemTypes.of("invalid-amount"), "Invalid amount", posting, properties);
      case OVERFLOW ->
          unprocessable(ProblemTypes.of("overflow"), "Amount overflow", posting, properties);
      case OK, EXISTS -> throw new IllegalArgumentException(result + " is not a refusal");
      default ->
          unprocessable(
              ProblemTypes.of(result.name().toLowerCase(Locale.ROOT).replace('_', '-')),
              "Refused: " + result.name(),
              posting,
              properties);
    };
  }

  private static ProblemException unprocessable(
      URI type, String title, Posting posting, Map<String, Object> properties) {
    return new ProblemException(
        HttpStatus.UNPROCESSABLE_CONTENT, type, title, posting.detail(), properties);
  }

  private static void requirePresent(
      List<Map<String, String>> errors, String field, @Nullable Object value) {
    if (value == null) {
      errors.add(error(field, "is required"));
    }
  }

  private static Map<String, String> error(String field, String message) {
    return Map.of("field", field, "message", message);
  }

  private static <T> T required(@Nullable T value) {
    if (value == null) {
      throw new IllegalStateException("checked above");
    }
    return value;
  }
}
