package io.tpwallet.ledger.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.money.Asset;
import io.tpwallet.common.money.Money;
import io.tpwallet.ledger.account.Account;
import io.tpwallet.ledger.account.AccountFlag;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PostingRulesTests {

  private static final UUID DEBIT = UUID.fromString("00000000-0000-7000-8000-000000000001");
  private static final UUID CREDIT = UUID.fromString("00000000-0000-7000-8000-000000000002");

  private static Account account(
      UUID id, Asset asset, long debits, long credits, AccountFlag... flags) {
    return new Account(
        id,
        asset,
        "test",
        null,
        Set.of(flags),
        BigInteger.valueOf(debits),
        BigInteger.valueOf(credits),
        BigInteger.ZERO,
        BigInteger.ZERO,
        Instant.EPOCH);
  }

  private static TransferCommand transfer(BigInteger amount, String asset) {
    return new TransferCommand(UUID.randomUUID(), DEBIT, CREDIT, amount, asset, "test");
  }

  private static TransferCommand transfer(long amount) {
    return transfer(BigInteger.valueOf(amount), "USD");
  }

  @Test
  void amountMustBePositiveAndAtMostMinorMax() {
    assertThat(PostingRules.checkFields(transfer(0))).contains(TransferResult.INVALID_AMOUNT);
    assertThat(PostingRules.checkFields(transfer(-1))).contains(TransferResult.INVALID_AMOUNT);
    assertThat(PostingRules.checkFields(transfer(1))).isEmpty();
    assertThat(PostingRules.checkFields(transfer(Money.MINOR_MAX, "USD"))).isEmpty();
    assertThat(PostingRules.checkFields(transfer(Money.MINOR_MAX.add(BigInteger.ONE), "USD")))
        .contains(TransferResult.INVALID_AMOUNT);
  }

  @Test
  void debitAndCreditMustDiffer() {
    var same = new TransferCommand(UUID.randomUUID(), DEBIT, DEBIT, BigInteger.TEN, "USD", "");
    assertThat(PostingRules.checkFields(same)).contains(TransferResult.SAME_ACCOUNT);
  }

  @Test
  void bothAccountsMustExist() {
    var credit = account(CREDIT, Asset.USD, 0, 0);
    assertThat(PostingRules.checkAccounts(transfer(5), null, credit))
        .contains(TransferResult.ACCOUNT_NOT_FOUND);
    assertThat(PostingRules.checkAccounts(transfer(5), credit, null))
        .contains(TransferResult.ACCOUNT_NOT_FOUND);
  }

  @Test
  void transferAssetMustBeTheAssetOfBothAccounts() {
    var usd = account(DEBIT, Asset.USD, 0, 0);
    var btc = account(CREDIT, Asset.BTC, 0, 0);
    var usd2 = account(CREDIT, Asset.USD, 0, 0);
    assertThat(PostingRules.checkAccounts(transfer(5), usd, btc))
        .contains(TransferResult.ASSET_MISMATCH);
    assertThat(PostingRules.checkAccounts(transfer(BigInteger.ONE, "BTC"), usd, usd2))
        .contains(TransferResult.ASSET_MISMATCH);
    assertThat(PostingRules.checkAccounts(transfer(5), usd, usd2)).isEmpty();
  }

  @Test
  void walletMaySpendExactlyItsBalanceAndNotOneMinorUnitMore() {
    var wallet = account(DEBIT, Asset.USD, 300, 1000, AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS);
    var shop = account(CREDIT, Asset.USD, 0, 0);
    assertThat(PostingRules.checkAccounts(transfer(700), wallet, shop)).isEmpty();
    assertThat(PostingRules.checkAccounts(transfer(701), wallet, shop))
        .contains(TransferResult.INSUFFICIENT_FUNDS);
  }

  @Test
  void unflaggedAccountMayGoNegative() {
    var issuance = account(DEBIT, Asset.USD, 0, 0);
    var wallet = account(CREDIT, Asset.USD, 0, 0, AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS);
    assertThat(PostingRules.checkAccounts(transfer(1_000_000), issuance, wallet)).isEmpty();
  }

  @Test
  void creditsMustNotExceedDebitsIsTheMirrorLimit() {
    var source = account(DEBIT, Asset.USD, 0, 0);
    var loan = account(CREDIT, Asset.USD, 500, 200, AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS);
    assertThat(PostingRules.checkAccounts(transfer(300), source, loan)).isEmpty();
    assertThat(PostingRules.checkAccounts(transfer(301), source, loan))
        .contains(TransferResult.EXCEEDS_DEBITS);
  }

  @Test
  void postedTotalsMayNotPassMinorMax() {
    var issuance =
        new Account(
            DEBIT,
            Asset.ETH,
            "issuance",
            null,
            Set.of(),
            Money.MINOR_MAX.subtract(BigInteger.TEN),
            BigInteger.ZERO,
            BigInteger.ZERO,
            BigInteger.ZERO,
            Instant.EPOCH);
    var wallet = account(CREDIT, Asset.ETH, 0, 0);
    assertThat(PostingRules.checkAccounts(transfer(BigInteger.TEN, "ETH"), issuance, wallet))
        .isEmpty();
    assertThat(
            PostingRules.checkAccounts(transfer(BigInteger.valueOf(11), "ETH"), issuance, wallet))
        .contains(TransferResult.OVERFLOW);
  }

  @Test
  void replayIsTheSameTransferOnlyWhenEveryFieldMatches() {
    var command = transfer(5);
    var stored =
        new Transfer(
            command.id(), DEBIT, CREDIT, BigInteger.valueOf(5), "USD", "test", Instant.EPOCH);
    assertThat(stored.sameAs(command)).isTrue();
    assertThat(
            stored.sameAs(
                new TransferCommand(
                    command.id(), DEBIT, CREDIT, BigInteger.valueOf(6), "USD", "test")))
        .isFalse();
    assertThat(
            stored.sameAs(
                new TransferCommand(
                    command.id(), DEBIT, CREDIT, BigInteger.valueOf(5), "USD", "x")))
        .isFalse();
    assertThat(Optional.of(TransferResult.EXISTS).get().posted()).isTrue();
    assertThat(TransferResult.INSUFFICIENT_FUNDS.posted()).isFalse();
  }
}
