package io.tpwallet.signing.address;

import java.util.Arrays;

/** The address a group public key has on its chain. */
public final class ChainAddresses {

  /** Bitcoin networks by their bech32 human-readable part. */
  public enum BitcoinNetwork {
    MAINNET("bc"),
    TESTNET("tb"),
    REGTEST("bcrt");

    final String hrp;

    BitcoinNetwork(String hrp) {
      this.hrp = hrp;
    }
  }

  private ChainAddresses() {}

  /** A Solana address is the base58 of the 32-byte Ed25519 public key. */
  public static String solana(byte[] ed25519PublicKey) {
    if (ed25519PublicKey.length != 32) {
      throw new IllegalArgumentException("an Ed25519 public key has 32 bytes");
    }
    return Base58.encode(ed25519PublicKey);
  }

  /**
   * A Taproot (P2TR) address: bech32m, witness version 1, the x-only output key. Takes the 33-byte
   * compressed key (the FROST Taproot group key, already tweaked) or the 32-byte x-only key.
   */
  public static String taproot(byte[] outputKey, BitcoinNetwork network) {
    byte[] xOnly;
    if (outputKey.length == 33 && (outputKey[0] == 2 || outputKey[0] == 3)) {
      xOnly = Arrays.copyOfRange(outputKey, 1, 33);
    } else if (outputKey.length == 32) {
      xOnly = outputKey;
    } else {
      throw new IllegalArgumentException("a Taproot output key is 32 (x-only) or 33 bytes");
    }
    return Bech32.segwitAddress(network.hrp, 1, xOnly);
  }
}
