/** Chain addresses of group public keys: Solana (base58) and Taproot (bech32m, BIP-350). */
@NullMarked
package io.tpwallet.signing.address;

import org.jspecify.annotations.NullMarked;
