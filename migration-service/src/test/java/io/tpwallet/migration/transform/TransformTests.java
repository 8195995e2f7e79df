package io.tpwallet.migration.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tpwallet.common.money.Asset;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TransformTests {

  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  @Test
  void trailingZerosDoNotChangeTheAmount() {
    assertThat(Amounts.toMinor(new BigDecimal("10.5"), Asset.USD)).isEqualTo(1050);
    assertThat(Amounts.toMinor(new BigDecimal("10.500000"), Asset.USD)).isEqualTo(1050);
    assertThat(Amounts.toMinor(new BigDecimal("10"), Asset.USD)).isEqualTo(1000);
    assertThat(Amounts.toMinor(new BigDecimal("0.00000001"), Asset.BTC)).isEqualTo(1);
  }

  @Test
  void aDigitBeyondTheAssetScaleIsRefusedNotRounded() {
    assertThatThrownBy(() -> Amounts.toMinor(new BigDecimal("1.005"), Asset.USD))
        .isInstanceOfSatisfying(
            Refusal.class, r -> assertThat(r.code()).isEqualTo(Refusal.AMOUNT_SCALE));
    // The boundary: exactly the asset's scale passes, one more decimal does not.
    assertThat(Amounts.toMinor(new BigDecimal("1.01"), Asset.USD)).isEqualTo(101);
    assertThatThrownBy(() -> Amounts.toMinor(new BigDecimal("0.000000001"), Asset.BTC))
        .isInstanceOf(Refusal.class);
  }

  @Test
  void zeroAndNegativeTransactionAmountsAreRefused() {
    assertThatThrownBy(() -> Amounts.toPositiveMinor(BigDecimal.ZERO, Asset.USD))
        .isInstanceOfSatisfying(
            Refusal.class, r -> assertThat(r.code()).isEqualTo(Refusal.AMOUNT_NOT_POSITIVE));
    assertThatThrownBy(() -> Amounts.toPositiveMinor(new BigDecimal("-1"), Asset.USD))
        .isInstanceOf(Refusal.class);
  }

  @Test
  void legacyCurrencyCodesAreReadWhateverTheirCase() {
    assertThat(Amounts.asset("usd")).isEqualTo(Asset.USD);
    assertThat(Amounts.asset(" BTC ")).isEqualTo(Asset.BTC);
    assertThatThrownBy(() -> Amounts.asset("XXX"))
        .isInstanceOfSatisfying(
            Refusal.class, r -> assertThat(r.code()).isEqualTo(Refusal.UNKNOWN_CURRENCY));
  }

  @Test
  void randomAmountsRoundTripExactly() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      Asset asset = random.nextBoolean() ? Asset.USD : Asset.ETH;
      BigInteger minor = new BigInteger(100, random).add(BigInteger.ONE);
      BigDecimal written =
          new BigDecimal(minor, asset.scale()).setScale(asset.scale() + random.nextInt(5));
      assertThat(Amounts.toMinor(written, asset)).as("seed %d, %s", seed, written).isEqualTo(minor);
    }
  }

  @Test
  void legacyLocalTimesBecomeUtcInstants() {
    assertThat(LegacyTime.toUtc(LocalDateTime.of(2024, 3, 1, 8, 0), SHANGHAI))
        .isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    // Autumn overlap: 02:30 happened twice; the earlier offset (+02:00) is taken.
    assertThat(LegacyTime.toUtc(LocalDateTime.of(2024, 10, 27, 2, 30), berlin))
        .isEqualTo(Instant.parse("2024-10-27T00:30:00Z"));
    // Spring gap: 02:30 never happened.
    assertThatThrownBy(() -> LegacyTime.toUtc(LocalDateTime.of(2024, 3, 31, 2, 30), berlin))
        .isInstanceOfSatisfying(
            Refusal.class, r -> assertThat(r.code()).isEqualTo(Refusal.NONEXISTENT_LOCAL_TIME));
    assertThat(LegacyTime.fromEpochMicros(1_709_280_000_123_456L))
        .isEqualTo(LocalDateTime.of(2024, 3, 1, 8, 0, 0, 123_456_000));
  }

  @Test
  void idsAreNameBasedUuidsOfTheIdempotencyKey() {
    String key = LegacyIds.key("transactions", 42);
    assertThat(key).isEqualTo("legacy:transactions:42");
    UUID id = LegacyIds.DEFAULT.transferId(key);
    assertThat(id.version()).isEqualTo(5);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(LegacyIds.DEFAULT.transferId("legacy:transactions:42")).isEqualTo(id);
    assertThat(LegacyIds.DEFAULT.transferId("legacy:transactions:43")).isNotEqualTo(id);
    assertThat(LegacyIds.DEFAULT.walletAccount(7))
        .isEqualTo(LegacyIds.DEFAULT.v5("legacy:wallets:7"));
    // A second legacy database into the same ledger: same keys, other ids, stable in its namespace.
    var other = new LegacyIds(UUID.fromString("0190a1b2-0000-7000-8000-000000000001"));
    assertThat(other.transferId(key)).isNotEqualTo(id).isEqualTo(other.transferId(key));
    assertThat(other.walletAccount(7)).isNotEqualTo(LegacyIds.DEFAULT.walletAccount(7));
  }

  @Test
  void aLegacyUserIsAlwaysTheSameCustomerAndNeverAWalletOrAnotherUser() {
    // Pinned from an independent UUIDv5 implementation (Python's uuid.uuid5): account-service
    // holds these ids, so the derivation must never change.
    assertThat(LegacyIds.DEFAULT.customer(1))
        .isEqualTo(UUID.fromString("797a7b1a-d9be-531f-9f7d-df8d25b5a5d4"));
    assertThat(LegacyIds.DEFAULT.customer(42))
        .isEqualTo(UUID.fromString("43d6a486-41fe-5df3-98d0-e04581cb2c2a"));
    var other = new LegacyIds(UUID.fromString("0190a1b2-0000-7000-8000-000000000001"));
    assertThat(other.customer(1)).isNotEqualTo(LegacyIds.DEFAULT.customer(1));

    // Seeded loop: the seed is printed on failure; -Dtpw.seed=N replays it.
    long seed = Long.getLong("tpw.seed", System.nanoTime());
    var random = new Random(seed);
    Map<UUID, Long> userOf = new java.util.HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      long user = 1 + random.nextLong(1_000_000_000_000L);
      UUID customer = LegacyIds.DEFAULT.customer(user);
      String as = "seed " + seed + ", user " + user;
      assertThat(customer.version()).as(as).isEqualTo(5);
      assertThat(customer.variant()).as(as).isEqualTo(2);
      assertThat(LegacyIds.DEFAULT.customer(user)).as(as + ": a replay").isEqualTo(customer);
      assertThat(customer)
          .as(as + ": its wallet")
          .isNotEqualTo(LegacyIds.DEFAULT.walletAccount(user));
      Long before = userOf.putIfAbsent(customer, user);
      assertThat(before == null || before == user).as(as + ": collides with " + before).isTrue();
    }
  }

  @Test
  void checksumsDoNotDependOnOrderButSeeDuplicates() {
    long a = Checksums.of("k1", BigInteger.TEN);
    long b = Checksums.of("k2", BigInteger.TWO);
    assertThat(a + b).isEqualTo(b + a);
    assertThat(a + b + b).isNotEqualTo(a + b);
    assertThat(Checksums.of("k1", BigInteger.ONE)).isNotEqualTo(a);
  }

  private final TransactionMapper mapper = new TransactionMapper(SHANGHAI, LegacyIds.DEFAULT);
  private final Map<Long, Asset> wallets = Map.of(1L, Asset.USD, 2L, Asset.USD, 3L, Asset.BTC);

  private Optional<Asset> wallet(long id) {
    return Optional.ofNullable(wallets.get(id));
  }

  private static LegacyTransaction tx(
      long id, long wallet, Long other, String kind, String amount) {
    return new LegacyTransaction(
        id,
        wallet,
        other,
        kind,
        new BigDecimal(amount),
        1,
        LocalDateTime.of(2024, 3, 1, 8, 0),
        false);
  }

  @Test
  void depositsWithdrawalsAndTransfersMoveTheRightAccounts() {
    var deposit = mapper.command(tx(10, 1, null, "DEP", "12.50"), this::wallet);
    assertThat(deposit.debitAccountId()).isEqualTo(LegacyIds.DEFAULT.externalAccount(Asset.USD));
    assertThat(deposit.creditAccountId()).isEqualTo(LegacyIds.DEFAULT.walletAccount(1));
    assertThat(deposit.amountMinor()).isEqualTo(1250);
    assertThat(deposit.occurredAt()).isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
    assertThat(deposit.transferId())
        .isEqualTo(LegacyIds.DEFAULT.transferId("legacy:transactions:10"));

    var withdrawal = mapper.command(tx(11, 1, null, "WDR", "1"), this::wallet);
    assertThat(withdrawal.debitAccountId()).isEqualTo(LegacyIds.DEFAULT.walletAccount(1));
    assertThat(withdrawal.creditAccountId())
        .isEqualTo(LegacyIds.DEFAULT.externalAccount(Asset.USD));

    var transfer = mapper.command(tx(12, 1, 2L, "XFER", "3.00"), this::wallet);
    assertThat(transfer.debitAccountId()).isEqualTo(LegacyIds.DEFAULT.walletAccount(1));
    assertThat(transfer.creditAccountId()).isEqualTo(LegacyIds.DEFAULT.walletAccount(2));
    assertThat(transfer.debitWalletId()).isEqualTo(1);
    assertThat(transfer.creditWalletId()).isEqualTo(2);
  }

  @Test
  void orphansMismatchedCurrenciesAndUnknownKindsAreRefused() {
    assertThatThrownBy(() -> mapper.command(tx(1, 99, null, "DEP", "1"), this::wallet))
        .isInstanceOfSatisfying(
            Refusal.class, r -> assertThat(r.code()).isEqualTo(Refusal.ORPHAN_WALLET));
    assertThatThrownBy(() -> mapper.command(tx(1, 1, 3L, "XFER", "1"), this::wallet))
        .isInstanceOfSatisfying(
            Refusal.class, r -> assertThat(r.code()).isEqualTo(Refusal.CURRENCY_MISMATCH));
    assertThatThrownBy(() -> mapper.command(tx(1, 1, null, "FEE", "1"), this::wallet))
        .isInstanceOfSatisfying(
            Refusal.class, r -> assertThat(r.code()).isEqualTo(Refusal.UNKNOWN_KIND));
  }

  @Test
  void exactDuplicatesShareAFingerprintWhateverTheirPrimaryKeyAndScale() {
    assertThat(tx(1, 1, null, "DEP", "1.50").fingerprint())
        .isEqualTo(tx(2, 1, null, "DEP", "1.5000").fingerprint())
        .isNotEqualTo(tx(3, 1, null, "DEP", "1.51").fingerprint());
  }
}
