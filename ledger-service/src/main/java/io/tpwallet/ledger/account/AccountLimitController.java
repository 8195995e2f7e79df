package io.tpwallet.ledger.account;

import static io.tpwallet.ledger.account.AccountController.error;

import io.swagger.v3.oas.annotations.Operation;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Sets and clears the limit of many accounts at once (a migration's cutover and rollback), and
 * lists an account's limit history.
 */
@RestController
@RequestMapping("/v1/ledger/accounts")
class AccountLimitController {

  static final int HISTORY_PAGE_SIZE_DEFAULT = 50;

  /** An account id as clients write it: the canonical 8-4-4-4-12 hex form. */
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final AccountLimits limits;
  private final Accounts accounts;

  AccountLimitController(AccountLimits limits, Accounts accounts) {
    this.limits = limits;
    this.accounts = accounts;
  }

  /** The body of {@code POST /v1/ledger/accounts/limits}; all of it is checked before anything. */
  record LimitChangeRequest(
      @Nullable String limit,
      @Nullable Boolean set,
      @Nullable String reason,
      @Nullable List<@Nullable String> accountIds) {}

  /** One account's answer: SET, ALREADY_SET, CLEARED, ALREADY_CLEAR, OVERDRAWN ... */
  record LimitResult(UUID accountId, String result) {}

  /** One result per account, in the order of the request. */
  record LimitChangeResponse(List<LimitResult> results) {}

  /** One change of an account's limit history. */
  record LimitChangeView(
      long seq, UUID id, String limit, boolean set, String reason, Instant changedAt) {}

  /** An account's flags now and its limit changes, newest first. */
  record LimitHistoryResponse(
      UUID accountId,
      List<String> flags,
      List<LimitChangeView> changes,
      @Nullable Long nextBefore) {}

  @Operation(
      summary = "Set or clear an account limit on many accounts",
      description =
          "Body {\"limit\":\"DEBITS_MUST_NOT_EXCEED_CREDITS\"|\"CREDITS_MUST_NOT_EXCEED_DEBITS\", \"set\": true|false, \"reason\": 1..256 characters, \"accountIds\": 1..1000 distinct ids}. 200 {\"results\":[{\"accountId\",\"result\"}]} in request order, one transaction: SET, ALREADY_SET, CLEARED, ALREADY_CLEAR, OVERDRAWN (not set: posted plus pending debits already exceed posted credits, or the credit-side equivalent), NOT_FOUND, CONFLICTING_FLAG (not set: the account has the opposite limit). Each change is recorded in the account's limit history and announced on tpw.ledger.account-limit-changed.v1. A malformed body is 400 (unknown limit 422) and changes nothing; Idempotency-Key is honoured when sent.")
  @PostMapping("/limits")
  LimitChangeResponse change(@RequestBody LimitChangeRequest request) {
    List<Map<String, String>> errors = new ArrayList<>();
    if (request.limit() == null || request.limit().isBlank()) {
      errors.add(error("limit", "is required"));
    }
    if (request.set() == null) {
      errors.add(error("set", "is required (true sets the limit, false clears it)"));
    }
    String reason = request.reason();
    if (reason == null || reason.isBlank()) {
      errors.add(error("reason", "is required"));
    } else if (reason.codePointCount(0, reason.length()) > AccountLimits.REASON_LENGTH_MAX) {
      errors.add(
          error("reason", "must be at most " + AccountLimits.REASON_LENGTH_MAX + " characters"));
    } else if (reason.chars().anyMatch(Character::isISOControl)) {
      errors.add(error("reason", "must not contain control characters"));
    }
    List<UUID> ids = accountIds(request.accountIds(), errors);
    if (!errors.isEmpty()) {
      throw AccountController.invalid(errors);
    }
    AccountFlag limit = limit(request.limit());
    List<LimitResult> results =
        limits.change(limit, request.set(), reason, ids).stream()
            .map(o -> new LimitResult(o.accountId(), o.result().name()))
            .toList();
    return new LimitChangeResponse(results);
  }

  @Operation(
      summary = "List an account's limit changes",
      description =
          "The account's flags now and its limit changes (limit, set, reason, changedAt), newest first, 1..200 per page; nextBefore (a seq) for the next page. 404 when unknown.")
  @GetMapping("/{id}/limits")
  LimitHistoryResponse history(
      @PathVariable UUID id,
      @RequestParam(defaultValue = "" + HISTORY_PAGE_SIZE_DEFAULT) int limit,
      @RequestParam(required = false) @Nullable Long before) {
    if (limit < 1 || limit > AccountLimits.HISTORY_PAGE_SIZE_MAX) {
      throw ProblemException.badRequest(
          ProblemTypes.VALIDATION,
          "Invalid parameter",
          "limit must be 1-" + AccountLimits.HISTORY_PAGE_SIZE_MAX + ".");
    }
    Account account =
        accounts.find(id).orElseThrow(() -> ProblemException.notFound("No account " + id + "."));
    List<AccountLimits.Change> page = limits.history(id, limit, before);
    List<LimitChangeView> changes =
        page.stream()
            .map(
                c ->
                    new LimitChangeView(
                        c.seq(), c.id(), c.limit().name(), c.set(), c.reason(), c.changedAt()))
            .toList();
    Long next = page.size() == limit ? page.get(page.size() - 1).seq() : null;
    return new LimitHistoryResponse(
        id, account.flags().stream().map(Enum::name).sorted().toList(), changes, next);
  }

  /** The ids, each a UUID and none twice; errors name the index of the one at fault. */
  private static List<UUID> accountIds(
      @Nullable List<@Nullable String> texts, List<Map<String, String>> errors) {
    if (texts == null || texts.isEmpty() || texts.size() > AccountLimits.ACCOUNTS_PER_REQUEST_MAX) {
      errors.add(
          error(
              "accountIds",
              "must list 1.."
                  + AccountLimits.ACCOUNTS_PER_REQUEST_MAX
                  + " account ids, not "
                  + (texts == null ? 0 : texts.size())));
      return List.of();
    }
    List<UUID> ids = new ArrayList<>(texts.size());
    Map<UUID, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      String field = "accountIds[" + i + "]";
      if (text == null || !UUID_TEXT.matcher(text).matches()) {
        errors.add(error(field, "is not a UUID"));
        continue;
      }
      UUID id = UUID.fromString(text);
      Integer earlier = firstIndex.putIfAbsent(id, i);
      if (earlier != null) {
        errors.add(error(field, "names the account of accountIds[" + earlier + "] again"));
        continue;
      }
      ids.add(id);
    }
    return ids;
  }

  private static AccountFlag limit(@Nullable String name) {
    try {
      return AccountFlag.valueOf(name == null ? "" : name.trim());
    } catch (IllegalArgumentException e) {
      throw new ProblemException(
          HttpStatus.UNPROCESSABLE_CONTENT,
          ProblemTypes.of("unknown-limit"),
          "Unknown limit",
          "The limit must be DEBITS_MUST_NOT_EXCEED_CREDITS or CREDITS_MUST_NOT_EXCEED_DEBITS.");
    }
  }
}
