package io.tpwallet.ledger;

import static io.tpwallet.ledger.LedgerTestSupport.body;
import static io.tpwallet.ledger.LedgerTestSupport.get;
import static io.tpwallet.ledger.LedgerTestSupport.openUsd;
import static io.tpwallet.ledger.LedgerTestSupport.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.id.Ids;
import io.tpwallet.ledger.account.Accounts;
import io.tpwallet.ledger.chain.LedgerChain;
import io.tpwallet.testkit.Infrastructure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Group commit seen from clients: many concurrent single transfers, some of which must be refused
 * for insufficient funds, each get their own answer, and the balances are exactly the sum of the
 * answered successes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GroupCommitIT {

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "ledgergroup");
    // Two groups in flight at once: a wallet's competing spends may then sit in groups that commit
    // concurrently, and the answers and balances must still be exact.
    registry.add("tpw.ledger.group-commit-workers", () -> "2");
  }

  private static final int WALLETS = 32;
  private static final int CLIENTS = 64;

  @LocalServerPort int port;
  @Autowired Accounts accounts;
  @Autowired LedgerChain chain;
  @Autowired JdbcClient jdbc;

  private final JsonMapper json = JsonMapper.builder().build();

  @Test
  void concurrentTransfersThatShareGroupsKeepTheirOwnResultsAndBalancesAreExact() throws Exception {
    long seed = System.nanoTime();
    System.out.println("GroupCommitIT seed " + seed);
    Random random = new Random(seed);
    UUID issuance = openUsd(accounts, false);
    UUID sink = openUsd(accounts, true);
    List<UUID> wallets = new ArrayList<>();
    for (int i = 0; i < WALLETS; i++) {
      UUID wallet = openUsd(accounts, true);
      wallets.add(wallet);
      assertThat(transfer(issuance, wallet, 100).statusCode()).isEqualTo(201);
    }

    // Two spends per wallet, at once: each alone fits in the wallet's 100, both together may not.
    // Which of two competing spends wins is up to the order the group applies them in; the sum
    // of what each client was told succeeded must be exactly what moved.
    List<Spend> spends = new ArrayList<>();
    for (UUID wallet : wallets) {
      spends.add(new Spend(wallet, 1 + random.nextInt(100)));
      spends.add(new Spend(wallet, 1 + random.nextInt(100)));
    }
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> answers = new ArrayList<>();
    try {
      for (Spend s : spends) {
        answers.add(
            clients.submit(
                () -> {
                  start.await();
                  return transfer(s.wallet(), sink, s.amount()).statusCode();
                }));
      }
      start.countDown();
      long moved = 0;
      long[] spent = new long[WALLETS];
      for (int i = 0; i < spends.size(); i++) {
        int status = answers.get(i).get(60, TimeUnit.SECONDS);
        Spend s = spends.get(i);
        assertThat(status).as("seed %d spend %s", seed, s).isIn(201, 422);
        if (status == 201) {
          moved += s.amount();
          spent[wallets.indexOf(s.wallet())] += s.amount();
        }
      }
      for (int w = 0; w < WALLETS; w++) {
        long a = spends.get(2 * w).amount();
        long b = spends.get(2 * w + 1).amount();
        if (a + b <= 100) {
          assertThat(spent[w])
              .as("seed %d wallet %d: both fit, both post", seed, w)
              .isEqualTo(a + b);
        } else {
          assertThat(spent[w]).as("seed %d wallet %d: exactly one posts", seed, w).isIn(a, b);
        }
        assertThat(balance(wallets.get(w))).as("seed %d", seed).isEqualTo(100 - spent[w]);
      }
      assertThat(balance(sink)).as("seed %d", seed).isEqualTo(moved);
      assertThat(balance(issuance)).isEqualTo(-100L * WALLETS);
      assertThat(chain.verify().ok()).isTrue();
    } finally {
      clients.shutdownNow();
    }
  }

  private record Spend(UUID wallet, int amount) {}

  private java.net.http.HttpResponse<String> transfer(UUID debit, UUID credit, long amount)
      throws Exception {
    return post(
        port,
        "/v1/ledger/transfers",
        json.writeValueAsString(
            Map.of(
                "id",
                Ids.newId(),
                "debitAccountId",
                debit,
                "creditAccountId",
                credit,
                "amount",
                Long.toString(amount),
                "asset",
                "USD",
                "reference",
                "group-commit")));
  }

  private long balance(UUID account) throws Exception {
    var response = get(port, "/v1/ledger/accounts/" + account);
    assertThat(response.statusCode()).isEqualTo(200);
    return Long.parseLong(body(response).get("balance").asString());
  }
}
