/**
 * The signer node (profile {@code signer}): takes part in DKG, keeps its share sealed in the vault,
 * makes single-use nonces in memory, and signs only what its own copy of the key's policy allows,
 * whatever the coordinator asks.
 */
@NullMarked
package io.tpwallet.signing.node;

import org.jspecify.annotations.NullMarked;
