/**
 * FROST threshold Schnorr signatures (RFC 9591) with dealerless key generation: a plain Java
 * library without Spring, used by the signer nodes and the coordinator.
 *
 * <p>Entry points: {@link io.tpwallet.signing.frost.Ciphersuites} (the suites), {@link
 * io.tpwallet.signing.frost.Frost} (the two signing rounds, share verification with blame,
 * aggregation), {@link io.tpwallet.signing.frost.Dkg} (Pedersen DKG with proofs of knowledge) and
 * {@link io.tpwallet.signing.frost.DkgEcho} (the broadcast-consistency check).
 */
@NullMarked
package io.tpwallet.signing.frost;

import org.jspecify.annotations.NullMarked;
