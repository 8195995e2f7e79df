package io.tpwallet.signing.frost;

import java.security.SecureRandom;

/**
 * Where nonces and polynomial coefficients get their randomness. Production uses {@link #secure()};
 * tests inject a seeded source or the fixed randomness of the published vectors.
 */
@FunctionalInterface
public interface RandomSource {

  void nextBytes(byte[] into);

  static RandomSource secure() {
    SecureRandom random = new SecureRandom();
    return random::nextBytes;
  }
}
