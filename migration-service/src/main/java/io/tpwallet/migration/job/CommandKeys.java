package io.tpwallet.migration.job;

import io.tpwallet.migration.transform.LedgerCommand;
import java.util.UUID;

/**
 * The Kafka key (outbox aggregate) of a migration command: one per group of legacy wallets, chosen
 * by the wallet the command debits, or for a command that debits no wallet (a deposit, an opening
 * credit) the wallet it credits ({@link #WALLET_GROUPS} groups, by wallet id). So every command
 * that takes money out of a wallet shares that wallet's key with the other commands that debit it
 * and with its deposits, and Kafka keeps them in legacy order (one partition per key, and the
 * commands of one key in one batched record in order); the job's commands spread over the topic's
 * partitions, and several ledger consumer threads apply one job at the same time.
 *
 * <p>What is not ordered: a transfer from wallet A to wallet B has A's key, so B's later commands
 * may reach the ledger before it. No ledger answer depends on that order for the accounts the
 * migration opens: none has a balance limit ({@link io.tpwallet.migration.ledger.AccountSpec}: the
 * legacy history holds overdrafts the ledger must accept) and the commands carry no imported time
 * (the ledger's per-account import order check), so each command is posted whatever came before it,
 * and every balance ends as the sum of its commands. The commands' order per debited wallet is kept
 * so that a wallet's debits are posted in the order legacy made them, and a wallet's own deposit
 * before the withdrawal it funds.
 */
final class CommandKeys {

  private static final String PREFIX = "legacy-migration:";

  /**
   * How many keys a job's commands spread over. Few, so that a batch of changes fills few, large
   * batched records (a snapshot page of 1,000 commands: about 170 transfers a record); twice the
   * platform's 3 partitions, so that every partition, and so every ledger consumer thread, most
   * likely gets some.
   */
  static final int WALLET_GROUPS = 6;

  private CommandKeys() {}

  /** The Kafka key of {@code command} of job {@code job}. */
  static String of(UUID job, LedgerCommand command) {
    long wallet = command.debitWalletId() != 0 ? command.debitWalletId() : command.creditWalletId();
    if (wallet == 0) {
      throw new IllegalArgumentException(
          "a migration command moves a legacy wallet: " + command.idempotencyKey());
    }
    return prefix(job) + "wallets:" + Math.floorMod(wallet, WALLET_GROUPS);
  }

  /** What every key of the job's commands starts with. */
  static String prefix(UUID job) {
    return PREFIX + job + ":";
  }
}
