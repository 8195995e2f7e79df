package io.tpwallet.signing.frost;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Before BouncyCastle's BIP340Signer is trusted as the outside judge of our Taproot signatures, it
 * must agree with every row of BIP-340's own vectors, the expected rejects included.
 */
class Bip340VerifierTests {

  @Test
  void bouncyCastleAgreesWithEveryBip340Vector() throws IOException {
    List<String> rows;
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                getClass().getResourceAsStream("/vectors/bip340-vectors.csv"),
                StandardCharsets.US_ASCII))) {
      rows = in.lines().skip(1).filter(l -> !l.isBlank()).toList();
    }
    assertThat(rows).hasSizeGreaterThanOrEqualTo(15);
    int accepted = 0;
    int rejected = 0;
    for (String row : rows) {
      String[] f = row.split(",", -1);
      byte[] key = HexFormat.of().parseHex(f[2]);
      byte[] message = HexFormat.of().parseHex(f[4]);
      byte[] signature = HexFormat.of().parseHex(f[5]);
      boolean expected = f[6].equals("TRUE");
      assertThat(IndependentVerifiers.bip340(key, message, signature))
          .as("BIP-340 vector %s (%s)", f[0], f[7])
          .isEqualTo(expected);
      if (expected) {
        accepted++;
      } else {
        rejected++;
      }
    }
    assertThat(accepted).isPositive();
    assertThat(rejected).isPositive();
  }
}
