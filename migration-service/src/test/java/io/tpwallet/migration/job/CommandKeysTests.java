package io.tpwallet.migration.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.common.money.Asset;
import io.tpwallet.migration.ledger.AccountSpec;
import io.tpwallet.migration.transform.LedgerCommand;
import io.tpwallet.migration.transform.LegacyIds;
import io.tpwallet.migration.transform.LegacyTransaction;
import io.tpwallet.migration.transform.TransactionMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The per-wallet Kafka keys of a job's commands: what Kafka keeps in order (each wallet's debits
 * and deposits, in legacy order) and why the order it does not keep (a transfer against the
 * credited wallet's later commands) changes no ledger answer and no balance.
 */
class CommandKeysTests {

  private static final Asset USD = Asset.find("USD").orElseThrow();
  private static final LegacyIds IDS = LegacyIds.DEFAULT;
  private static final UUID JOB = UUID.fromString("0190a1b2-0000-7000-8000-0000000000aa");
  private static final int HISTORIES = 200;
  private static final int WALLETS_MAX = 8;
  private static final int TRANSACTIONS_MAX = 120;

  @Test
  void aTransferIsKeyedByTheGroupOfTheWalletItDebitsAndADepositByTheWalletItCredits() {
    var mapper = new TransactionMapper(ZoneId.of("UTC"), IDS);
    LedgerCommand deposit = mapper.command(tx(1, 7, null, "DEP", "10.00"), w -> Optional.of(USD));
    LedgerCommand withdrawal = mapper.command(tx(2, 7, null, "WDR", "4.00"), w -> Optional.of(USD));
    LedgerCommand transfer = mapper.command(tx(3, 7, 9L, "XFER", "1.00"), w -> Optional.of(USD));
    LedgerCommand back = transfer.reversal(IDS, "legacy:transactions:3:reversal", Instant.EPOCH);

    assertThat(CommandKeys.of(JOB, deposit)).isEqualTo("legacy-migration:" + JOB + ":wallets:1");
    assertThat(CommandKeys.of(JOB, withdrawal)).isEqualTo(CommandKeys.of(JOB, deposit));
    assertThat(CommandKeys.of(JOB, transfer)).isEqualTo(CommandKeys.of(JOB, deposit));
    // The reversal debits wallet 9: it goes with wallet 9's other debits.
    assertThat(CommandKeys.of(JOB, back)).isEqualTo("legacy-migration:" + JOB + ":wallets:3");
    assertThat(CommandKeys.of(JOB, back)).startsWith(CommandKeys.prefix(JOB));
    // Wallet 13 is in wallet 7's group (13 mod 6 = 7 mod 6), wallet 8 is not.
    LedgerCommand other = mapper.command(tx(4, 13, null, "DEP", "1.00"), w -> Optional.of(USD));
    LedgerCommand next = mapper.command(tx(5, 8, null, "DEP", "1.00"), w -> Optional.of(USD));
    assertThat(CommandKeys.of(JOB, other)).isEqualTo(CommandKeys.of(JOB, deposit));
    assertThat(CommandKeys.of(JOB, next)).isNotEqualTo(CommandKeys.of(JOB, deposit));
  }

  @Test
  void aCommandThatMovesNoLegacyWalletHasNoKey() {
    var between =
        new LedgerCommand(
            "k",
            IDS.transferId("k"),
            IDS.externalAccount(USD),
            IDS.suspenseAccount(USD),
            BigInteger.ONE,
            USD,
            Instant.EPOCH,
            0,
            0);
    assertThatThrownBy(() -> CommandKeys.of(JOB, between))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * The safety of the per-wallet keys rests on this: were a migrated account to refuse a debit
   * beyond its credits, a withdrawal funded by an incoming transfer (another wallet's key) could be
   * refused when it overtakes that transfer, and the ledger would no longer match legacy.
   */
  @Test
  void noAccountTheMigrationOpensHasABalanceLimit() {
    for (AccountSpec spec :
        List.of(
            AccountSpec.wallet(IDS, 7, USD),
            AccountSpec.suspense(IDS, USD),
            AccountSpec.external(IDS, USD))) {
      assertThat(spec.flags())
          .as(spec.code())
          .doesNotContain("DEBITS_MUST_NOT_EXCEED_CREDITS", "CREDITS_MUST_NOT_EXCEED_DEBITS");
    }
  }

  /**
   * Seeded histories of deposits, withdrawals, transfers and reversals between a few wallets, each
   * overdraft-free in legacy order; their commands are delivered in a random interleaving of the
   * keys that keeps each key's order, as partitions and consumer threads do. Every wallet's debits
   * and deposits arrive in legacy order, each command is applied once, and every balance ends as in
   * legacy; a wallet may dip below zero on the way (an incoming transfer overtaken), which the
   * ledger accepts for these accounts.
   */
  @Test
  void everyInterleavingThatKeepsEachKeysOrderKeepsEachWalletsDebitsInOrderAndEndsAtLegacy() {
    long seed = new Random().nextLong();
    var random = new Random(seed);
    boolean dipSeen = false;
    for (int h = 0; h < HISTORIES; h++) {
      List<LedgerCommand> history = history(random);
      Map<UUID, BigInteger> legacy = balances(history);

      Map<String, ArrayDeque<LedgerCommand>> byKey = new LinkedHashMap<>();
      for (LedgerCommand c : history) {
        byKey.computeIfAbsent(CommandKeys.of(JOB, c), k -> new ArrayDeque<>()).add(c);
      }
      List<ArrayDeque<LedgerCommand>> queues = new ArrayList<>(byKey.values());
      List<LedgerCommand> delivered = new ArrayList<>();
      while (!queues.isEmpty()) {
        int q = random.nextInt(queues.size());
        delivered.add(queues.get(q).poll());
        if (queues.get(q).isEmpty()) {
          queues.remove(q);
        }
      }

      assertThat(delivered)
          .as("seed %d: each command once", seed)
          .containsExactlyInAnyOrderElementsOf(history);
      for (long wallet = 1; wallet <= WALLETS_MAX; wallet++) {
        assertThat(ownCommands(delivered, wallet))
            .as("seed %d: wallet %d's debits and deposits in legacy order", seed, wallet)
            .containsExactlyElementsOf(ownCommands(history, wallet));
      }
      Map<UUID, BigInteger> running = new HashMap<>();
      for (LedgerCommand c : delivered) {
        running.merge(c.debitAccountId(), c.amountMinor().negate(), BigInteger::add);
        running.merge(c.creditAccountId(), c.amountMinor(), BigInteger::add);
        if (c.debitWalletId() != 0 && running.get(c.debitAccountId()).signum() < 0) {
          dipSeen = true;
        }
      }
      assertThat(running).as("seed %d: balances as in legacy", seed).isEqualTo(legacy);
    }
    assertThat(dipSeen)
        .as(
            "seed %d: some interleaving let a transfer be overtaken (else the test proves less)",
            seed)
        .isTrue();
  }

  /** The commands of {@code wallet}'s key that debit it or credit it from outside, in order. */
  private static List<LedgerCommand> ownCommands(List<LedgerCommand> commands, long wallet) {
    return commands.stream()
        .filter(
            c ->
                c.debitWalletId() == wallet
                    || (c.debitWalletId() == 0 && c.creditWalletId() == wallet))
        .toList();
  }

  private static Map<UUID, BigInteger> balances(List<LedgerCommand> commands) {
    Map<UUID, BigInteger> balances = new HashMap<>();
    for (LedgerCommand c : commands) {
      balances.merge(c.debitAccountId(), c.amountMinor().negate(), BigInteger::add);
      balances.merge(c.creditAccountId(), c.amountMinor(), BigInteger::add);
    }
    return balances;
  }

  /**
   * A legacy history mapped as the runner maps it: no wallet ever overdrawn in legacy order, some
   * transfers reversed later, and opening differences against suspense.
   */
  private static List<LedgerCommand> history(Random random) {
    var mapper = new TransactionMapper(ZoneId.of("UTC"), IDS);
    int wallets = 2 + random.nextInt(WALLETS_MAX - 1);
    long[] balance = new long[wallets + 1];
    List<LedgerCommand> commands = new ArrayList<>();
    int n = 1 + random.nextInt(TRANSACTIONS_MAX);
    for (long id = 1; id <= n; id++) {
      long wallet = 1 + random.nextInt(wallets);
      long amount = 1 + random.nextInt(5_000);
      int kind = random.nextInt(10);
      LegacyTransaction t;
      if (kind < 4 || balance[(int) wallet] < amount) {
        t = tx(id, wallet, null, "DEP", cents(amount));
        balance[(int) wallet] += amount;
      } else if (kind < 6) {
        t = tx(id, wallet, null, "WDR", cents(amount));
        balance[(int) wallet] -= amount;
      } else {
        long other = 1 + (wallet + random.nextInt(wallets - 1)) % wallets;
        t = tx(id, wallet, other, "XFER", cents(amount));
        balance[(int) wallet] -= amount;
        balance[(int) other] += amount;
      }
      LedgerCommand c = mapper.command(t, w -> Optional.of(USD));
      commands.add(c);
      if (random.nextInt(20) == 0 && balance[(int) c.creditWalletId()] >= amount) {
        // Reversed later in legacy: undone under its own key, the other way round.
        String key = LegacyIds.reversalKey(TransactionMapper.TABLE, id);
        commands.add(c.reversal(IDS, key, Instant.EPOCH));
        balance[(int) c.creditWalletId()] -= amount;
        if (c.debitWalletId() != 0) {
          balance[(int) c.debitWalletId()] += amount;
        }
      }
    }
    for (long wallet = 1; wallet <= wallets; wallet++) {
      if (random.nextBoolean()) {
        String key = LegacyIds.openingKey(wallet);
        boolean credit = random.nextBoolean();
        UUID account = IDS.walletAccount(wallet);
        UUID suspense = IDS.suspenseAccount(USD);
        commands.add(
            new LedgerCommand(
                key,
                IDS.transferId(key),
                credit ? suspense : account,
                credit ? account : suspense,
                BigInteger.valueOf(1 + random.nextInt(100)),
                USD,
                Instant.EPOCH,
                credit ? 0 : wallet,
                credit ? wallet : 0));
      }
    }
    return commands;
  }

  private static String cents(long amount) {
    return BigDecimal.valueOf(amount, 2).toPlainString();
  }

  private static LegacyTransaction tx(
      long id, long wallet, @Nullable Long counterparty, String kind, String amount) {
    return new LegacyTransaction(
        id,
        wallet,
        counterparty,
        kind,
        new BigDecimal(amount),
        1,
        LocalDateTime.of(2024, 1, 1, 0, 0).plusMinutes(id),
        false);
  }
}
