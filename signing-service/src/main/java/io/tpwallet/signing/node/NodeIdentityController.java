package io.tpwallet.signing.node;

import io.tpwallet.signing.wire.WireCodec;
import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Shows this node's identity public key, which operators collect into the roster every peer pins
 * (compare the fingerprint out of band; never take it from the coordinator).
 */
@RestController
@Profile("signer")
class NodeIdentityController {

  /** The node's identity: participant id, key algorithm, raw public key and its SHA-256 (hex). */
  record Identity(int participant, String algorithm, String publicKey, String fingerprint) {}

  private final NodeIdentity identity;

  NodeIdentityController(NodeIdentity identity) {
    this.identity = identity;
  }

  @GetMapping("/v1/node/identity")
  Identity identity() {
    return new Identity(
        identity.participant(),
        "Ed25519",
        WireCodec.hex(identity.publicKey()),
        identity.fingerprint());
  }
}
