package io.tpwallet.signing.frost;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a whole signing session in memory, as coordinator and signers would over the network. */
final class Sessions {

  private Sessions() {}

  static byte[] sign(
      Ciphersuite suite,
      Collection<KeyPackage> signers,
      PublicKeyPackage pub,
      byte[] message,
      RandomSource random) {
    Frost frost = new Frost(suite);
    Map<Identifier, SigningNonces> nonces = new LinkedHashMap<>();
    List<SigningCommitments> commitments = new ArrayList<>();
    for (KeyPackage k : signers) {
      SigningNonces n = frost.commit(k, random);
      nonces.put(k.identifier(), n);
      commitments.add(n.commitments());
    }
    SigningPackage pkg = SigningPackage.sorted(commitments, message);
    Map<Identifier, SignatureShare> shares = new LinkedHashMap<>();
    for (KeyPackage k : signers) {
      shares.put(k.identifier(), frost.sign(pkg, nonces.get(k.identifier()), k));
    }
    return suite.serializeSignature(frost.aggregate(pkg, shares, pub));
  }

  static RandomSource seeded(long seed) {
    java.util.Random random = new java.util.Random(seed);
    return random::nextBytes;
  }
}
