/**
 * What the coordinator and the signer nodes send each other over HTTP: DKG packages, commitments,
 * signing requests with their policy context, and signature shares, hex encoded.
 */
@NullMarked
package io.tpwallet.signing.wire;

import org.jspecify.annotations.NullMarked;
