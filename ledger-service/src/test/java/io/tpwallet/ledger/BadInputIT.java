package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.id.Ids;
import io.tpwallet.ledger.account.Accounts;
import io.tpwallet.testkit.Infrastructure;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Bad input on the money-moving POSTs: each is answered with an RFC 9457 problem and writes nothing
 * — no transfer, entry, chain link or idempotency claim, and no account total changes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BadInputIT {

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "ledgerbad");
  }

  @LocalServerPort int port;
  @Autowired Accounts accounts;
  @Autowired JdbcClient jdbc;

  @Test
  void everyKindOfBadTransferIsAProblemAndWritesNothing() throws Exception {
    UUID issuance = LedgerTestSupport.openUsd(accounts, false);
    UUID alice = LedgerTestSupport.openUsd(accounts, true);
    String before = snapshot();
    String fortyDigits = "1".repeat(40);

    expectProblem(transfer(issuance, alice, "-5", "USD"), 422, "invalid-amount");
    expectProblem(transfer(issuance, alice, "0", "USD"), 422, "invalid-amount");
    // Past NUMERIC(39,0) yet within the 40-digit syntax: the ledger's INVALID_AMOUNT.
    expectProblem(transfer(issuance, alice, fortyDigits, "USD"), 422, "invalid-amount");
    expectProblem(transfer(issuance, alice, "1".repeat(41), "USD"), 400, "validation");
    expectProblem(transfer(issuance, alice, "12.50", "USD"), 400, "validation");
    expectProblem(transfer(issuance, alice, "1e3", "USD"), 400, "validation");
    expectProblem(transfer(issuance, alice, "100", "XYZ"), 422, "unknown-asset");
    expectProblem(transfer(issuance, alice, "100", "BTC"), 422, "asset-mismatch");
    expectProblem(transfer(alice, alice, "100", "USD"), 422, "same-account");
    expectProblem(transfer(issuance, Ids.newId(), "100", "USD"), 422, "account-not-found");
    expectProblem("{\"id\":", 400, null);
    expectProblem("[1,2]", 400, null);
    expectProblem(
        "{\"id\":\"not-a-uuid\",\"debitAccountId\":\""
            + issuance
            + "\",\"creditAccountId\":\""
            + alice
            + "\",\"amount\":\"1\",\"asset\":\"USD\"}",
        400,
        null);

    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void aBatchOf8190OrWithOneBadEventIsRefusedWhole() throws Exception {
    UUID issuance = LedgerTestSupport.openUsd(accounts, false);
    UUID alice = LedgerTestSupport.openUsd(accounts, true);
    String before = snapshot();
    String good = event(issuance, alice, "1");

    var oversized =
        LedgerTestSupport.post(
            port,
            "/v1/ledger/batches",
            batch(String.join(",", java.util.Collections.nCopies(8_190, good))));
    assertProblem(oversized, 400, "batch-too-large");

    for (String amount : List.of("1".repeat(40), "2.5", "abc")) {
      var bad =
          LedgerTestSupport.post(
              port, "/v1/ledger/batches", batch(good + "," + event(issuance, alice, amount)));
      assertProblem(bad, 400, "validation");
    }
    assertProblem(LedgerTestSupport.post(port, "/v1/ledger/batches", "{\"events\":[{"), 400, null);

    assertThat(snapshot()).isEqualTo(before);
  }

  // --- helpers ------------------------------------------------------------------------------

  private void expectProblem(String body, int status, String type) throws Exception {
    assertProblem(LedgerTestSupport.post(port, "/v1/ledger/transfers", body), status, type);
  }

  private static void assertProblem(
      java.net.http.HttpResponse<String> response, int status, String type) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    if (type != null) {
      assertThat(LedgerTestSupport.body(response).get("type").asString())
          .endsWith("/problems/" + type);
    }
  }

  private static String transfer(UUID debit, UUID credit, String amount, String asset) {
    return "{\"id\":\"%s\",\"debitAccountId\":\"%s\",\"creditAccountId\":\"%s\",\"amount\":\"%s\",\"asset\":\"%s\"}"
        .formatted(Ids.newId(), debit, credit, amount, asset);
  }

  private static String event(UUID debit, UUID credit, String amount) {
    return "{\"type\":\"TRANSFER\",\"id\":\"%s\",\"debitAccountId\":\"%s\",\"creditAccountId\":\"%s\",\"amount\":\"%s\",\"asset\":\"USD\"}"
        .formatted(Ids.newId(), debit, credit, amount);
  }

  private static String batch(String events) {
    return "{\"events\":[" + events + "]}";
  }

  /** Everything a request could have written: row counts and every account's totals. */
  private String snapshot() {
    return jdbc.sql(
            "select (select count(*) from ledger_transfer) || '/'"
                + " || (select count(*) from ledger_entry) || '/'"
                + " || (select count(*) from ledger_chain) || '/'"
                + " || (select count(*) from ledger_idempotency) || '/'"
                + " || (select coalesce(string_agg(id || ':' || debits_posted || ':'"
                + " || credits_posted || ':' || debits_pending || ':' || credits_pending, ','"
                + " order by id), '') from ledger_account)")
        .query(String.class)
        .single();
  }
}
