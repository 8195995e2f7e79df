package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.id.Ids;
import io.tpwallet.ledger.account.Accounts;
import io.tpwallet.ledger.transfer.ResolveCommand;
import io.tpwallet.ledger.transfer.TransferCommand;
import io.tpwallet.ledger.transfer.TransferResult;
import io.tpwallet.ledger.transfer.TransferService;
import io.tpwallet.testkit.Infrastructure;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Transfers by account, time, reference and status in keyset pages; balance at a time; statement.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class QueryIT {

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "ledgerquery");
  }

  @LocalServerPort int port;
  @Autowired Accounts accounts;
  @Autowired TransferService transfers;

  private final JsonMapper json = JsonMapper.builder().build();

  @Test
  void queriesFindWhatWasWrittenAndPagesCoverEveryTransferOnce() throws Exception {
    UUID issuance = open(false);
    UUID alice = open(true);
    UUID bob = open(true);
    UUID jan = Ids.newId();
    UUID feb = Ids.newId();
    UUID mar = Ids.newId();
    ok(imported(jan, issuance, alice, 100, "ref-A", "2021-01-01T00:00:00Z", "L-1"));
    ok(imported(feb, alice, bob, 30, "ref-B", "2021-02-01T00:00:00Z", "L-2"));
    ok(imported(mar, issuance, alice, 50, "ref-C", "2021-03-01T00:00:00Z", "L-3"));
    UUID open = Ids.newId();
    UUID posted = Ids.newId();
    UUID voided = Ids.newId();
    ok(TransferCommand.hold(open, alice, bob, BigInteger.TEN, "USD", "ref-D", 0));
    ok(TransferCommand.hold(posted, alice, bob, BigInteger.TEN, "USD", "ref-E", 0));
    ok(TransferCommand.hold(voided, alice, bob, BigInteger.TEN, "USD", "ref-F", 0));
    UUID post = Ids.newId();
    UUID voiding = Ids.newId();
    ok(ResolveCommand.post(post, posted, BigInteger.valueOf(4), "ref-E"));
    ok(ResolveCommand.voiding(voiding, voided, "ref-F"));

    // Balance at a point in time: the sum of entries up to and including it.
    assertThat(balanceAt(alice, "2020-12-31T23:59:59Z")).isEqualTo("0");
    assertThat(balanceAt(alice, "2021-01-15T00:00:00Z")).isEqualTo("100");
    assertThat(balanceAt(alice, "2021-02-01T00:00:00Z")).isEqualTo("70");
    assertThat(balanceAt(alice, "2021-03-01T00:00:00Z")).isEqualTo("120");
    assertThat(balanceAt(alice, null)).isEqualTo("116");

    // By account and time range [from, to), newest first.
    assertThat(
            ids(
                get(
                    "/v1/ledger/transfers?accountId="
                        + alice
                        + "&from=2021-01-01T00:00:00Z"
                        + "&to=2021-03-01T00:00:00Z")))
        .containsExactly(feb, jan);
    // By reference and by status.
    assertThat(ids(get("/v1/ledger/transfers?reference=ref-B"))).containsExactly(feb);
    assertThat(ids(get("/v1/ledger/transfers?accountId=" + alice + "&status=PENDING")))
        .containsExactly(open);
    assertThat(ids(get("/v1/ledger/transfers?accountId=" + bob + "&status=VOIDED")))
        .containsExactlyInAnyOrder(voided, voiding);
    assertThat(ids(get("/v1/ledger/transfers?accountId=" + alice + "&status=POSTED")))
        .containsExactlyInAnyOrder(jan, feb, mar, posted, post);

    // Pages of 2 cover every transfer of alice exactly once, newest first.
    List<UUID> all = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page =
          get(
              "/v1/ledger/transfers?accountId="
                  + alice
                  + "&limit=2"
                  + (cursor == null ? "" : "&cursor=" + cursor));
      all.addAll(ids(page));
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(all).hasSize(8).doesNotHaveDuplicates();
    assertThat(all.subList(all.size() - 3, all.size())).containsExactly(mar, feb, jan);

    // The statement: balance before, lines with the balance after each, pages continue it.
    JsonNode first = get("/v1/ledger/accounts/" + alice + "/statement?limit=2");
    assertThat(first.get("openingBalance").asString()).isEqualTo("0");
    assertThat(first.get("lines").get(0).get("balanceAfter").asString()).isEqualTo("100");
    assertThat(first.get("lines").get(1).get("balanceAfter").asString()).isEqualTo("70");
    JsonNode second =
        get(
            "/v1/ledger/accounts/"
                + alice
                + "/statement?limit=2&cursor="
                + first.get("nextCursor").asString());
    assertThat(second.get("openingBalance").asString()).isEqualTo("70");
    assertThat(second.get("lines").get(0).get("balanceAfter").asString()).isEqualTo("120");
    assertThat(second.get("closingBalance").asString()).isEqualTo("116");
    JsonNode fromFeb = get("/v1/ledger/accounts/" + alice + "/statement?from=2021-02-01T00:00:00Z");
    assertThat(fromFeb.get("openingBalance").asString()).isEqualTo("100");
    assertThat(fromFeb.get("lines")).hasSize(3);
    assertThat(fromFeb.get("closingBalance").asString()).isEqualTo("116");

    // Bounds and bad input.
    assertThat(status("/v1/ledger/transfers?limit=201")).isEqualTo(400);
    assertThat(status("/v1/ledger/transfers?limit=0")).isEqualTo(400);
    assertThat(status("/v1/ledger/transfers?status=LOST")).isEqualTo(400);
    assertThat(status("/v1/ledger/transfers?cursor=bm9wZQ")).isEqualTo(400);
    assertThat(status("/v1/ledger/accounts/" + Ids.newId() + "/statement")).isEqualTo(404);
    assertThat(status("/v1/ledger/accounts/" + Ids.newId() + "/balance")).isEqualTo(404);
  }

  private void ok(io.tpwallet.ledger.transfer.LedgerCommand command) {
    assertThat(transfers.execute(List.of(command)).get(0).result()).isEqualTo(TransferResult.OK);
  }

  private static TransferCommand imported(
      UUID id, UUID debit, UUID credit, long amount, String reference, String at, String ref) {
    return TransferCommand.imported(
        id, debit, credit, BigInteger.valueOf(amount), "USD", reference, Instant.parse(at), ref);
  }

  private String balanceAt(UUID account, String at) throws Exception {
    String query = at == null ? "" : "?at=" + URLEncoder.encode(at, StandardCharsets.UTF_8);
    return get("/v1/ledger/accounts/" + account + "/balance" + query).get("balance").asString();
  }

  private static List<UUID> ids(JsonNode page) {
    List<UUID> ids = new ArrayList<>();
    page.get("transfers").forEach(t -> ids.add(UUID.fromString(t.get("id").asString())));
    return ids;
  }

  private UUID open(boolean wallet) {
    return LedgerTestSupport.openUsd(accounts, wallet);
  }

  private int status(String path) throws Exception {
    return send(path).statusCode();
  }

  private JsonNode get(String path) throws Exception {
    var response = send(path);
    assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }

  private HttpResponse<String> send(String path) throws Exception {
    return LedgerTestSupport.get(port, path);
  }
}
