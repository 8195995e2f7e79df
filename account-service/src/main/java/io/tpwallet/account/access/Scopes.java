package io.tpwallet.account.access;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The scopes access tokens carry, and which role may hold which (RBAC: roles to scopes). */
public final class Scopes {

  public static final String PAYMENTS_READ = "payments:read";
  public static final String PAYMENTS_WRITE = "payments:write";
  public static final String LEDGER_READ = "ledger:read";
  public static final String LEDGER_WRITE = "ledger:write";
  public static final String ACCOUNTS_READ = "accounts:read";
  public static final String ACCOUNTS_WRITE = "accounts:write";
  public static final String ADMIN_ACCOUNTS = "admin:accounts";

  /** What every logged-in individual customer gets. */
  public static final List<String> CUSTOMER =
      List.of(ACCOUNTS_READ, ACCOUNTS_WRITE, PAYMENTS_READ, PAYMENTS_WRITE, LEDGER_READ);

  /** What a merchant's API client may be given (each client gets a chosen subset). */
  public static final Set<String> MERCHANT_CLIENT_ALLOWED =
      Set.of(PAYMENTS_READ, PAYMENTS_WRITE, LEDGER_READ, ACCOUNTS_READ);

  /** What an operations (back-office) client may be given. */
  public static final Set<String> OPS_CLIENT_ALLOWED =
      Set.of(ADMIN_ACCOUNTS, ACCOUNTS_READ, PAYMENTS_READ, LEDGER_READ, LEDGER_WRITE);

  private Scopes() {}

  /** Splits a space-separated scope string (RFC 6749 3.3) into a set, order kept. */
  public static Set<String> parse(String scopes) {
    Set<String> set = new LinkedHashSet<>();
    for (String s : scopes.trim().split("\\s+")) {
      if (!s.isEmpty()) {
        set.add(s);
      }
    }
    return set;
  }
}
