package io.tpwallet.ledger.account;

import static io.tpwallet.ledger.account.AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS;
import static io.tpwallet.ledger.account.AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.common.money.Asset;
import io.tpwallet.ledger.account.AccountLimits.Result;
import java.math.BigInteger;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What setting or clearing a limit answers for an account, decided from its flags and totals. */
class AccountLimitsTests {

  private static Account account(
      Set<AccountFlag> flags, long debits, long credits, long debitsHeld, long creditsHeld) {
    return new Account(
        UUID.randomUUID(),
        Asset.USD,
        "customer",
        null,
        flags,
        BigInteger.valueOf(debits),
        BigInteger.valueOf(credits),
        BigInteger.valueOf(debitsHeld),
        BigInteger.valueOf(creditsHeld),
        Instant.EPOCH);
  }

  private static Result set(Account a) {
    return AccountLimits.decide(a, DEBITS_MUST_NOT_EXCEED_CREDITS, true);
  }

  @Test
  void theLimitIsSetUpToTheBoundaryWithHeldAmountsCounted() {
    var none = EnumSet.noneOf(AccountFlag.class);
    assertThat(set(account(none, 0, 0, 0, 0))).isEqualTo(Result.SET);
    assertThat(set(account(none, 60, 100, 40, 0))).isEqualTo(Result.SET);
    assertThat(set(account(none, 60, 100, 41, 0))).isEqualTo(Result.OVERDRAWN);
    assertThat(set(account(none, 101, 100, 0, 0))).isEqualTo(Result.OVERDRAWN);
    // Credits held for the account are not its money yet, and do not count.
    assertThat(set(account(none, 101, 100, 0, 50))).isEqualTo(Result.OVERDRAWN);
  }

  @Test
  void theFlagsDecideTheOtherAnswers() {
    assertThat(AccountLimits.decide(null, DEBITS_MUST_NOT_EXCEED_CREDITS, true))
        .isEqualTo(Result.NOT_FOUND);
    assertThat(AccountLimits.decide(null, DEBITS_MUST_NOT_EXCEED_CREDITS, false))
        .isEqualTo(Result.NOT_FOUND);
    var limited = account(EnumSet.of(DEBITS_MUST_NOT_EXCEED_CREDITS), 0, 10, 0, 0);
    assertThat(set(limited)).isEqualTo(Result.ALREADY_SET);
    assertThat(AccountLimits.decide(limited, DEBITS_MUST_NOT_EXCEED_CREDITS, false))
        .isEqualTo(Result.CLEARED);
    var liability = account(EnumSet.of(CREDITS_MUST_NOT_EXCEED_DEBITS), 10, 0, 0, 0);
    assertThat(set(liability)).isEqualTo(Result.CONFLICTING_FLAG);
    assertThat(AccountLimits.decide(liability, DEBITS_MUST_NOT_EXCEED_CREDITS, false))
        .isEqualTo(Result.ALREADY_CLEAR);
    assertThat(AccountLimits.decide(liability, CREDITS_MUST_NOT_EXCEED_DEBITS, true))
        .isEqualTo(Result.ALREADY_SET);
    // Clearing never looks at the totals: an account past its limit can always lose it.
    var past = account(EnumSet.of(DEBITS_MUST_NOT_EXCEED_CREDITS), 5, 0, 0, 0);
    assertThat(AccountLimits.decide(past, DEBITS_MUST_NOT_EXCEED_CREDITS, false))
        .isEqualTo(Result.CLEARED);
  }

  /**
   * A seeded loop over random totals: SET exactly where the database's check constraint for the
   * limit holds on those totals (so the service never answers SET for a row the database would
   * refuse, nor OVERDRAWN for one it would take), on both sides.
   */
  @Test
  void setExactlyWhereTheCheckConstraintHolds() {
    long seed = Long.getLong("ledger.limits.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      long dp = random.nextInt(50);
      long cp = random.nextInt(50);
      long dq = random.nextInt(20);
      long cq = random.nextInt(20);
      var a = account(EnumSet.noneOf(AccountFlag.class), dp, cp, dq, cq);
      String where = "seed " + seed + ": " + a;
      assertThat(set(a) == Result.SET).as(where).isEqualTo(dp + dq <= cp);
      assertThat(AccountLimits.decide(a, CREDITS_MUST_NOT_EXCEED_DEBITS, true) == Result.SET)
          .as(where)
          .isEqualTo(cp + cq <= dp);
    }
  }
}
