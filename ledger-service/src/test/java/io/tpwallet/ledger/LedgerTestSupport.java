package io.tpwallet.ledger;

import io.tpwallet.common.id.Ids;
import io.tpwallet.common.money.Asset;
import io.tpwallet.ledger.account.AccountFlag;
import io.tpwallet.ledger.account.Accounts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What the ledger ITs share: opening a USD account, and JSON over HTTP to the service. */
final class LedgerTestSupport {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private LedgerTestSupport() {}

  /** A USD wallet that may not go negative, or an issuance account that may. */
  static UUID openUsd(Accounts accounts, boolean wallet) {
    return accounts
        .open(
            Ids.newId(),
            Asset.USD,
            wallet ? "customer" : "issuance",
            null,
            wallet
                ? EnumSet.of(AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS)
                : EnumSet.noneOf(AccountFlag.class))
        .account()
        .id();
  }

  static JsonNode body(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }

  static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(int port, String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
