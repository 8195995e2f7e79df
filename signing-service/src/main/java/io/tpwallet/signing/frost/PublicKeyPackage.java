package io.tpwallet.signing.frost;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The public side of a threshold key: every participant's verifying share, the group verifying key
 * and the threshold. The coordinator needs it to verify shares and to blame.
 */
public record PublicKeyPackage(
    SortedMap<Identifier, Element> verifyingShares, Element verifyingKey, int minSigners) {

  public PublicKeyPackage {
    verifyingShares = Collections.unmodifiableSortedMap(new TreeMap<>(verifyingShares));
  }

  public static PublicKeyPackage of(
      Map<Identifier, Element> verifyingShares, Element verifyingKey, int minSigners) {
    return new PublicKeyPackage(new TreeMap<>(verifyingShares), verifyingKey, minSigners);
  }

  public int maxSigners() {
    return verifyingShares.size();
  }
}
