package io.tpwallet.signing.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Address encoders against published vectors: BIP-350, Bitcoin's base58 tests, Solana ids. */
class AddressTests {

  private static final HexFormat HEX = HexFormat.of();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "A1LQFN3A",
        "a1lqfn3a",
        "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
        "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
        "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
        "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
        "?1v759aa"
      })
  void bip350ValidBech32mStringsDecodeAndReencode(String s) {
    Bech32.Decoded d = Bech32.decode(s);
    assertThat(d.encoding()).isEqualTo(Bech32.Encoding.BECH32M);
    assertThat(Bech32.encode(d.hrp(), d.data(), Bech32.Encoding.BECH32M))
        .isEqualTo(s.toLowerCase(java.util.Locale.ROOT));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
        "qyrz8wqd2c9m",
        "1qyrz8wqd2c9m",
        "y1b0jsk6g",
        "lt1igcx5c0",
        "in1muywd",
        "mm1crxm3i",
        "au1s5cgom",
        "M1VUXWEZ",
        "16plkw9",
        "1p2gdwpf"
      })
  void bip350InvalidBech32mStringsAreRefused(String s) {
    assertThatThrownBy(() -> Bech32.decode(s)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "bc,bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0,"
        + "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    "tb,tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c,"
        + "000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"
  })
  void bip350TaprootAddressesEncodeFromTheirOutputKey(String hrp, String address, String key) {
    var network =
        hrp.equals("bc")
            ? ChainAddresses.BitcoinNetwork.MAINNET
            : ChainAddresses.BitcoinNetwork.TESTNET;

    assertThat(ChainAddresses.taproot(HEX.parseHex(key), network)).isEqualTo(address);
    assertThat(ChainAddresses.taproot(HEX.parseHex("02" + key), network)).isEqualTo(address);
    assertThat(ChainAddresses.taproot(HEX.parseHex("03" + key), network)).isEqualTo(address);
    var decoded = Bech32.decodeSegwit(hrp, address);
    assertThat(decoded.version()).isEqualTo(1);
    assertThat(HEX.formatHex(decoded.program())).isEqualTo(key);
  }

  @Test
  void bip350SegwitVectorsOfOtherVersionsRoundTrip() {
    var v0 = Bech32.decodeSegwit("bc", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4");
    assertThat(v0.version()).isZero();
    assertThat(HEX.formatHex(v0.program())).isEqualTo("751e76e8199196d454941c45d1b3a323f1433bd6");
    assertThat(Bech32.segwitAddress("bc", 16, HEX.parseHex("751e"))).isEqualTo("bc1sw50qgdz25j");
    assertThat(Bech32.segwitAddress("bc", 2, HEX.parseHex("751e76e8199196d454941c45d1b3a323")))
        .isEqualTo("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // BIP-350 invalid addresses: wrong checksum variant for the version, bad version,
        // bad program length, bad padding.
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
        "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
        "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
        "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
        "bc1pw5dgrnzv",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
        "bc1gmk9yu"
      })
  void bip350InvalidSegwitAddressesAreRefused(String address) {
    assertThatThrownBy(() -> Bech32.decodeSegwit("bc", address))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "'',''",
    "61,2g",
    "626262,a3gV",
    "636363,aPEr",
    "73696d706c792061206c6f6e6720737472696e67,2cFupjhnEsSn59qHXstmK2ffpLv2",
    "00eb15231dfceb60925886b67d065299925915aeb172c06647,1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L",
    "516b6fcd0f,ABnLTmg",
    "bf4f89001e670274dd,3SEo3LWLoPntC",
    "572e4794,3EFU7m",
    "ecac89cad93923c02321,EJDM8drfXA6uyA",
    "10c8511e,Rt5zm",
    "00000000000000000000,1111111111"
  })
  void bitcoinBase58VectorsEncodeAndDecode(String hex, String base58) {
    assertThat(Base58.encode(HEX.parseHex(hex))).isEqualTo(base58);
    assertThat(HEX.formatHex(Base58.decode(base58))).isEqualTo(hex);
  }

  @Test
  void solanaProgramIdsAreTheBase58OfTheirKeys() {
    assertThat(ChainAddresses.solana(new byte[32])).isEqualTo("11111111111111111111111111111111");
    assertThat(
            ChainAddresses.solana(
                HEX.parseHex("06ddf6e1d765a193d9cbe146ceeb79ac1cb485ed5f5b37913a8cf5857eff00a9")))
        .isEqualTo("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
  }

  @Test
  void wrongKeyLengthsAreRefused() {
    assertThatThrownBy(() -> ChainAddresses.solana(new byte[33]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> ChainAddresses.taproot(new byte[31], ChainAddresses.BitcoinNetwork.MAINNET))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Base58.decode("0OIl")).isInstanceOf(IllegalArgumentException.class);
  }
}
