package io.tpwallet.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.id.Ids;
import io.tpwallet.ledger.account.Accounts;
import io.tpwallet.ledger.transfer.ResolveCommand;
import io.tpwallet.ledger.transfer.TransferCommand;
import io.tpwallet.ledger.transfer.TransferMetadata;
import io.tpwallet.ledger.transfer.TransferResult;
import io.tpwallet.ledger.transfer.TransferService;
import io.tpwallet.testkit.Infrastructure;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
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
  @Autowired JdbcClient jdbc;
  @Autowired DataSource dataSource;

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

  @Test
  void metadataIsBoundedQueriedByKeyInPagesAndHashedIntoTheChain() throws Exception {
    UUID issuance = open(false);
    UUID alice = open(true);
    String order = "o-" + Ids.newId();
    List<UUID> ofOrder = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      UUID id = Ids.newId();
      ofOrder.add(id);
      String metadata =
          "{\"orderId\":\"%s\",\"line\":%d,\"tags\":{\"channel\":\"web\"}}".formatted(order, i);
      assertThat(postTransfer(id, issuance, alice, "10", metadata).statusCode()).isEqualTo(201);
    }
    UUID other = Ids.newId();
    assertThat(
            postTransfer(other, issuance, alice, "10", "{\"orderId\":\"elsewhere\"}").statusCode())
        .isEqualTo(201);
    UUID plain = Ids.newId();
    assertThat(postTransfer(plain, issuance, alice, "10", null).statusCode()).isEqualTo(201);

    // Stored and answered as canonical JSON: keys sorted at every level.
    JsonNode shown = get("/v1/ledger/transfers/" + ofOrder.get(0));
    assertThat(json.writeValueAsString(shown.get("metadata")))
        .isEqualTo(
            "{\"line\":0,\"orderId\":\"%s\",\"tags\":{\"channel\":\"web\"}}".formatted(order));
    assertThat(get("/v1/ledger/transfers/" + plain).get("metadata").isNull()).isTrue();

    // By key and value, newest first, in pages of 2 that cover the three once.
    List<UUID> found = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page =
          get(
              "/v1/ledger/transfers?metadataKey=orderId&metadataValue="
                  + order
                  + "&limit=2"
                  + (cursor == null ? "" : "&cursor=" + cursor));
      found.addAll(ids(page));
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
      pages++;
    } while (cursor != null && pages < 5);
    assertThat(found).containsExactly(ofOrder.get(2), ofOrder.get(1), ofOrder.get(0));
    // A number is matched as the number it reads as; other filters combine with it.
    assertThat(ids(get("/v1/ledger/transfers?metadataKey=line&metadataValue=1&accountId=" + alice)))
        .containsExactly(ofOrder.get(1));
    assertThat(ids(get("/v1/ledger/transfers?metadataKey=orderId&metadataValue=nothing")))
        .isEmpty();
    assertThat(status("/v1/ledger/transfers?metadataKey=orderId")).isEqualTo(400);
    assertThat(status("/v1/ledger/transfers?metadataValue=x")).isEqualTo(400);

    // The same metadata with its keys in another order is a replay; other metadata is not.
    String reordered =
        "{\"tags\":{\"channel\":\"web\"},\"orderId\":\"%s\",\"line\":0}".formatted(order);
    assertThat(postTransfer(ofOrder.get(0), issuance, alice, "10", reordered).statusCode())
        .isEqualTo(200);
    assertThat(postTransfer(ofOrder.get(0), issuance, alice, "10", "{\"line\":9}").statusCode())
        .isEqualTo(422);

    // Out of bounds: 400 problem, nothing written.
    String big = "{\"note\":\"" + "x".repeat(TransferMetadata.BYTES_MAX) + "\"}";
    String deep = "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}";
    for (String bad : List.of(big, deep, "[1,2]", "\"text\"")) {
      UUID id = Ids.newId();
      var refused = postTransfer(id, issuance, alice, "10", bad);
      assertThat(refused.statusCode())
          .as(bad.substring(0, Math.min(40, bad.length())))
          .isEqualTo(400);
      assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(refused.body()).contains("metadata");
      assertThat(send("/v1/ledger/transfers/" + id).statusCode()).isEqualTo(404);
    }
    String fourDeep = "{\"a\":{\"b\":{\"c\":[1]}}}";
    assertThat(postTransfer(Ids.newId(), issuance, alice, "10", fourDeep).statusCode())
        .isEqualTo(201);
    assertThat(get("/v1/ledger/accounts/" + alice).get("balance").asString()).isEqualTo("60");

    // Metadata is hashed: changed behind the triggers' back, verify names the batch.
    assertThat(get("/v1/ledger/verify").get("ok").asBoolean()).isTrue();
    String stored =
        jdbc.sql("select metadata from ledger_transfer where id = ?")
            .param(other)
            .query(String.class)
            .single();
    behindTheTriggers(other, "{\"orderId\":\"tampered\"}");
    JsonNode broken = get("/v1/ledger/verify");
    assertThat(broken.get("ok").asBoolean()).isFalse();
    assertThat(broken.get("reason").asString()).contains("hash");
    behindTheTriggers(other, stored);
    assertThat(get("/v1/ledger/verify").get("ok").asBoolean()).isTrue();
  }

  private void behindTheTriggers(UUID transfer, String metadata) throws Exception {
    try (Connection c = dataSource.getConnection();
        var st = c.prepareStatement("update ledger_transfer set metadata = ? where id = ?")) {
      c.createStatement().execute("set session_replication_role = replica");
      try {
        st.setString(1, metadata);
        st.setObject(2, transfer);
        assertThat(st.executeUpdate()).isEqualTo(1);
      } finally {
        c.createStatement().execute("set session_replication_role = origin");
      }
    }
  }

  private HttpResponse<String> postTransfer(
      UUID id, UUID debit, UUID credit, String amount, String metadata) throws Exception {
    return LedgerTestSupport.post(
        port,
        "/v1/ledger/transfers",
        "{\"id\":\"%s\",\"debitAccountId\":\"%s\",\"creditAccountId\":\"%s\",\"amount\":\"%s\",\"asset\":\"USD\"%s}"
            .formatted(
                id, debit, credit, amount, metadata == null ? "" : ",\"metadata\":" + metadata));
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
