/**
 * The coordinator (default profile): runs DKG among chosen signer nodes, keeps the public key
 * material, and collects signature shares from any t reachable nodes. It never holds a share; the
 * nodes decide whether to sign.
 */
@NullMarked
package io.tpwallet.signing.coordinator;

import org.jspecify.annotations.NullMarked;
