package io.tpwallet.ledger.statement;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.swagger.v3.oas.annotations.Operation;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Lists transfers, answers an account's balance at a point in time and its statement. */
@RestController
class StatementController {

  static final int PAGE_SIZE_DEFAULT = 50;
  private static final Set<String> STATUSES = Set.of("PENDING", "POSTED", "VOIDED", "EXPIRED");

  private final Statements statements;
  private final Clock clock;

  StatementController(Statements statements, Clock clock) {
    this.statements = statements;
    this.clock = clock;
  }

  record TransferView(
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
      @JsonRawValue @Nullable String metadata) {}

  /**
   * {@code archived}: the archived months this query reaches (YYYY-MM): their transfers are not
   * listed (restore the month to see them).
   */
  record TransferPage(
      List<TransferView> transfers, @Nullable String nextCursor, List<String> archived) {}

  /**
   * {@code archived}: archived months with the account's entries up to {@code at}; months that
   * ended by then are counted from the archive index, and {@code complete} is false when {@code at}
   * falls inside one of them (its entries of that month are not counted).
   */
  record BalanceAt(
      UUID accountId,
      String asset,
      Instant at,
      String debitsPosted,
      String creditsPosted,
      String balance,
      List<String> archived,
      boolean complete) {}

  record StatementLine(
      long entryId,
      UUID transferId,
      String direction,
      String amount,
      UUID counterpartyAccountId,
      String reference,
      Instant createdAt,
      String balanceAfter) {}

  record Statement(
      UUID accountId,
      String asset,
      Instant from,
      Instant to,
      String openingBalance,
      List<StatementLine> lines,
      String closingBalance,
      @Nullable String nextCursor,
      List<String> archived) {}

  /**
   * Transfers newest first, filtered by any of: {@code accountId} (either side), {@code reference},
   * {@code status} (PENDING, POSTED, VOIDED, EXPIRED, as GET /transfers/{id} shows it), {@code
   * from} (inclusive) and {@code to} (exclusive) on createdAt (an import's historical time). At
   * most {@code limit} (1..200) per page; pass {@code nextCursor} as {@code cursor} for the next.
   * Pages are stable while transfers are appended. {@code metadataKey} with {@code metadataValue}
   * (both or neither) keeps the transfers whose metadata has that top-level key with that value (a
   * string, or the number or boolean the value reads as).
   */
  @Operation(
      summary = "List transfers",
      description =
          "Newest first, keyset pages of 1..200 (cursor). Filters: accountId (either side), reference, status, from/to on createdAt, metadataKey with metadataValue. archived: the archived months (YYYY-MM) the query reaches (overlapping [from, to), with an account only months it had transfers in); their transfers are not listed until the month is restored.")
  @GetMapping("/v1/ledger/transfers")
  TransferPage transfers(
      @RequestParam(required = false) @Nullable UUID accountId,
      @RequestParam(required = false) @Nullable String reference,
      @RequestParam(required = false) @Nullable String status,
      @RequestParam(required = false) @Nullable Instant from,
      @RequestParam(required = false) @Nullable Instant to,
      @RequestParam(defaultValue = "" + PAGE_SIZE_DEFAULT) int limit,
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable String metadataKey,
      @RequestParam(required = false) @Nullable String metadataValue) {
    checkLimit(limit);
    if (status != null && !STATUSES.contains(status)) {
      throw invalid("status must be one of PENDING, POSTED, VOIDED, EXPIRED.");
    }
    List<String> metadataContains = metadataContains(metadataKey, metadataValue);
    List<Statements.TransferRow> rows =
        statements.transfers(
            new Statements.TransferQuery(
                accountId,
                reference,
                status,
                from,
                to,
                cursor == null ? null : Cursor.decode(cursor),
                limit,
                metadataContains));
    List<TransferView> views = new ArrayList<>(rows.size());
    for (var t : rows) {
      views.add(
          new TransferView(
              t.id(),
              t.debitAccountId(),
              t.creditAccountId(),
              t.amount().toString(),
              t.asset(),
              t.reference(),
              t.kind(),
              t.status(),
              t.pendingId(),
              t.timeoutAt(),
              t.createdAt(),
              t.reversesId(),
              t.legacyRef(),
              t.metadata()));
    }
    String next = null;
    if (rows.size() == limit) {
      var last = rows.get(rows.size() - 1);
      next = new Cursor(last.createdAt(), last.id().toString()).encode();
    }
    return new TransferPage(views, next, statements.archivedMonths(accountId, from, to));
  }

  /**
   * The account's posted totals and balance from its entries up to and including {@code at}
   * (default now). Pending holds are not entries and are not counted.
   */
  @Operation(
      summary = "Balance at a point in time",
      description =
          "Posted debits, credits and balance from the account's entries with createdAt at or before the instant (default now). Archived months that ended by then are counted from the archive index; archived lists the archived months reached, and complete is false when the instant falls inside one (its entries are then not counted).")
  @GetMapping("/v1/ledger/accounts/{id}/balance")
  BalanceAt balanceAt(@PathVariable UUID id, @RequestParam(required = false) @Nullable Instant at) {
    String asset = asset(id);
    Instant when = at == null ? clock.instant() : at;
    BigInteger[] totals = statements.totalsAt(id, when);
    List<String> archived = statements.archivedMonths(id, null, when.plusNanos(1000));
    boolean complete =
        archived.isEmpty()
            || !YearMonth.parse(archived.get(archived.size() - 1))
                .equals(YearMonth.from(when.atOffset(ZoneOffset.UTC)));
    return new BalanceAt(
        id,
        asset,
        when,
        totals[0].toString(),
        totals[1].toString(),
        totals[1].subtract(totals[0]).toString(),
        archived,
        complete);
  }

  /**
   * The account's statement for [{@code from}, {@code to}) (default: from the beginning to now):
   * the balance before the page, its entries oldest first with the balance after each, and the
   * balance after the page. At most {@code limit} (1..200) lines per page; pass {@code nextCursor}
   * as {@code cursor} for the next.
   */
  @Operation(
      summary = "Account statement",
      description =
          "Entries in [from, to), oldest first, with the balance after each line, opening and closing balance, keyset pages. archived: the archived months in [from, to) with entries of the account, whose lines are not listed (the opening balance counts archived months before from).")
  @GetMapping("/v1/ledger/accounts/{id}/statement")
  Statement statement(
      @PathVariable UUID id,
      @RequestParam(required = false) @Nullable Instant from,
      @RequestParam(required = false) @Nullable Instant to,
      @RequestParam(defaultValue = "" + PAGE_SIZE_DEFAULT) int limit,
      @RequestParam(required = false) @Nullable String cursor) {
    checkLimit(limit);
    String asset = asset(id);
    Instant start = from == null ? Instant.EPOCH : from;
    Instant end = to == null ? clock.instant() : to;
    if (!start.isBefore(end)) {
      throw invalid("from must be before to.");
    }
    Cursor after = cursor == null ? null : Cursor.decode(cursor);
    long afterId = 0;
    if (after != null) {
      try {
        afterId = Long.parseLong(after.tiebreak());
      } catch (NumberFormatException e) {
        throw invalid("The cursor is not a statement cursor.");
      }
    }
    // Balance before the page: every entry before `from`, or up to and including the cursor's.
    BigInteger opening =
        after == null
            ? statements.balanceBefore(id, start, 0)
            : statements.balanceBefore(id, after.at(), afterId + 1);
    List<Statements.Line> lines = statements.lines(id, start, end, after, limit);
    List<StatementLine> out = new ArrayList<>(lines.size());
    BigInteger running = opening;
    for (var l : lines) {
      running =
          l.direction().equals("CREDIT") ? running.add(l.amount()) : running.subtract(l.amount());
      out.add(
          new StatementLine(
              l.entryId(),
              l.transferId(),
              l.direction(),
              l.amount().toString(),
              l.counterpartyAccountId(),
              l.reference(),
              l.createdAt(),
              running.toString()));
    }
    String next = null;
    if (lines.size() == limit) {
      var last = lines.get(lines.size() - 1);
      next = new Cursor(last.createdAt(), Long.toString(last.entryId())).encode();
    }
    return new Statement(
        id,
        asset,
        start,
        end,
        opening.toString(),
        out,
        running.toString(),
        next,
        statements.archivedMonths(id, start, end));
  }

  private String asset(UUID id) {
    return statements
        .assetOf(id)
        .orElseThrow(() -> ProblemException.notFound("No account " + id + "."));
  }

  /** The longest metadata key and value a query may name. */
  static final int METADATA_KEY_LENGTH_MAX = 256;

  static final int METADATA_VALUE_LENGTH_MAX = 1024;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /**
   * The JSON objects a transfer's metadata must contain one of: {key: value as a string}, and, when
   * the value reads as a JSON number or boolean, {key: that}. None without a key.
   */
  private static List<String> metadataContains(@Nullable String key, @Nullable String value) {
    if (key == null && value == null) {
      return List.of();
    }
    if (key == null || value == null || key.isEmpty()) {
      throw invalid("metadataKey and metadataValue go together, and the key is not empty.");
    }
    if (key.length() > METADATA_KEY_LENGTH_MAX || value.length() > METADATA_VALUE_LENGTH_MAX) {
      throw invalid(
          "metadataKey has at most "
              + METADATA_KEY_LENGTH_MAX
              + " characters and metadataValue at most "
              + METADATA_VALUE_LENGTH_MAX
              + ".");
    }
    List<String> docs = new ArrayList<>(2);
    docs.add(JSON.writeValueAsString(Map.of(key, value)));
    JsonNode scalar = null;
    try {
      scalar = JSON.readTree(value);
    } catch (JacksonException notJson) {
      // an ordinary string value
    }
    if (scalar != null && (scalar.isNumber() || scalar.isBoolean())) {
      docs.add(JSON.writeValueAsString(Map.of(key, scalar)));
    }
    return docs;
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > Statements.PAGE_SIZE_MAX) {
      throw invalid("limit must be 1-" + Statements.PAGE_SIZE_MAX + ".");
    }
  }

  private static ProblemException invalid(String detail) {
    return ProblemException.badRequest(ProblemTypes.VALIDATION, "Invalid parameter", detail);
  }
}
