package io.tpwallet.ledger.account;

import io.swagger.v3.oas.annotations.Operation;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.money.Asset;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Opens ledger accounts and shows their posted totals and balance. */
@RestController
@RequestMapping("/v1/ledger/accounts")
class AccountController {

  static final int CODE_LENGTH_MAX = 64;
  static final int OWNER_REF_LENGTH_MAX = 128;

  private final Accounts accounts;

  AccountController(Accounts accounts) {
    this.accounts = accounts;
  }

  /** The body of {@code POST /v1/ledger/accounts}; every field is checked before anything runs. */
  record OpenAccountRequest(
      @Nullable UUID id,
      @Nullable String asset,
      @Nullable String code,
      @Nullable String ownerRef,
      @Nullable List<@Nullable String> flags) {}

  /**
   * An account as clients see it; amounts are strings of integer minor units. {@code balance} is
   * posted credits minus debits; {@code available} also subtracts what is held on the debit side.
   */
  record AccountResponse(
      UUID id,
      String asset,
      String code,
      @Nullable String ownerRef,
      List<String> flags,
      String debitsPosted,
      String creditsPosted,
      String debitsPending,
      String creditsPending,
      String balance,
      String available) {

    static AccountResponse of(Account a) {
      return new AccountResponse(
          a.id(),
          a.asset().code(),
          a.code(),
          a.ownerRef(),
          a.flags().stream().map(Enum::name).sorted().toList(),
          a.debitsPosted().toString(),
          a.creditsPosted().toString(),
          a.debitsPending().toString(),
          a.creditsPending().toString(),
          a.balance().toString(),
          a.available().toString());
    }
  }

  /** Opens an account: 201 when new, 200 when the same account exists, 409 when another does. */
  @Operation(
      summary = "Open an account",
      description =
          "Opens an account in one asset with a code, an optional owner reference and flags. 201 when new, 200 when the same account exists (same id, same fields), 409 when the id names another.")
  @PostMapping
  ResponseEntity<AccountResponse> open(@RequestBody OpenAccountRequest request) {
    List<Map<String, String>> errors = new ArrayList<>();
    String code = request.code();
    if (code == null || code.isBlank() || code.length() > CODE_LENGTH_MAX) {
      errors.add(error("code", "must be 1-" + CODE_LENGTH_MAX + " characters"));
    }
    String ownerRef = request.ownerRef();
    if (ownerRef != null && ownerRef.length() > OWNER_REF_LENGTH_MAX) {
      errors.add(error("ownerRef", "must be at most " + OWNER_REF_LENGTH_MAX + " characters"));
    }
    EnumSet<AccountFlag> flags = EnumSet.noneOf(AccountFlag.class);
    if (request.flags() != null) {
      for (String flag : request.flags()) {
        try {
          flags.add(AccountFlag.valueOf(flag == null ? "" : flag.trim()));
        } catch (IllegalArgumentException e) {
          errors.add(error("flags", "unknown flag " + flag));
        }
      }
    }
    if (flags.containsAll(EnumSet.allOf(AccountFlag.class))) {
      errors.add(error("flags", "an account cannot have both limits: it could never be posted to"));
    }
    String assetCode = request.asset();
    if (assetCode == null || assetCode.isBlank()) {
      errors.add(error("asset", "is required"));
    }
    if (!errors.isEmpty()) {
      throw invalid(errors);
    }
    Asset asset =
        Asset.find(assetCode)
            .orElseThrow(
                () ->
                    ProblemException.unprocessable(
                        ProblemTypes.UNKNOWN_ASSET,
                        "Unknown asset",
                        "The asset " + assetCode.toUpperCase(Locale.ROOT) + " is not supported."));
    UUID id = request.id() == null ? Ids.newId() : request.id();
    var opening = accounts.open(id, asset, code, ownerRef, flags);
    return switch (opening.result()) {
      case CREATED ->
          ResponseEntity.status(HttpStatus.CREATED).body(AccountResponse.of(opening.account()));
      case EXISTS -> ResponseEntity.ok(AccountResponse.of(opening.account()));
      case EXISTS_WITH_DIFFERENT_FIELDS ->
          throw new ProblemException(
              HttpStatus.CONFLICT,
              ProblemTypes.of("account-exists-with-different-fields"),
              "Account exists",
              "An account with id " + id + " exists with other fields.");
    };
  }

  @Operation(
      summary = "Show an account",
      description =
          "The four totals (posted and pending debits and credits, integer minor units as strings), the balance and the available amount. 404 when unknown.")
  @GetMapping("/{id}")
  AccountResponse get(@PathVariable UUID id) {
    return accounts
        .find(id)
        .map(AccountResponse::of)
        .orElseThrow(() -> ProblemException.notFound("No account " + id + "."));
  }

  static Map<String, String> error(String field, String message) {
    return Map.of("field", field, "message", message);
  }

  static ProblemException invalid(List<Map<String, String>> errors) {
    return new ProblemException(
        HttpStatus.BAD_REQUEST,
        ProblemTypes.VALIDATION,
        "Invalid request",
        "The request has " + errors.size() + " invalid field(s).",
        Map.of("errors", errors));
  }
}
