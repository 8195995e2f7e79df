package io.tpwallet.account.customer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a legacy user's name, e-mail and key become in a customer, at their boundaries. */
class LegacyCustomersTests {

  @Test
  void aMissingNameIsMadeFromTheLegacyKeyAndATooLongOneIsCut() {
    assertThat(LegacyCustomers.displayName(null, "legacy:users:42")).isEqualTo("Legacy user 42");
    assertThat(LegacyCustomers.displayName("   ", "legacy:users:42")).isEqualTo("Legacy user 42");
    assertThat(LegacyCustomers.displayName("  Ann  ", "legacy:users:42")).isEqualTo("Ann");
    String max = "a".repeat(Customers.NAME_LENGTH_MAX);
    assertThat(LegacyCustomers.displayName(max, "legacy:users:1")).isEqualTo(max);
    assertThat(LegacyCustomers.displayName(max + "b", "legacy:users:1")).isEqualTo(max);
    // A character outside the BMP is not cut in two.
    String emoji = "a".repeat(Customers.NAME_LENGTH_MAX - 1) + "\uD83D\uDE00";
    assertThat(LegacyCustomers.displayName(emoji, "legacy:users:1"))
        .isEqualTo("a".repeat(Customers.NAME_LENGTH_MAX - 1));
  }

  @Test
  void aLegacyEmailIsLowerCasedOrLeftOutWithItsReason() {
    assertThat(LegacyCustomers.email(" Ann@Example.COM "))
        .isEqualTo(new LegacyCustomers.Email("ann@example.com", null));
    assertThat(LegacyCustomers.email(null)).isEqualTo(new LegacyCustomers.Email(null, null));
    assertThat(LegacyCustomers.email("")).isEqualTo(new LegacyCustomers.Email(null, null));
    LegacyCustomers.Email bad = LegacyCustomers.email("not an address");
    assertThat(bad.address()).isNull();
    assertThat(bad.note()).isEqualTo("legacy e-mail not an address is not an e-mail address");
  }

  @Test
  void onlyLegacyKeysPassAsLegacyRefs() {
    assertThat(LegacyCustomers.isLegacyRef("legacy:users:42")).isTrue();
    assertThat(LegacyCustomers.isLegacyRef("legacy:wallets:a-b_c")).isTrue();
    assertThat(LegacyCustomers.isLegacyRef("legacy:users:")).isFalse();
    assertThat(LegacyCustomers.isLegacyRef("users:42")).isFalse();
    assertThat(LegacyCustomers.isLegacyRef("legacy:users:4 2")).isFalse();
    assertThat(LegacyCustomers.isLegacyRef("legacy:users:" + "9".repeat(150))).isTrue();
    assertThat(LegacyCustomers.isLegacyRef("legacy:users:" + "9".repeat(151))).isFalse();
  }
}
