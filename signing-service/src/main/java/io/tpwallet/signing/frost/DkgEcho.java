package io.tpwallet.signing.frost;

import io.tpwallet.signing.frost.internal.Bytes;
import io.tpwallet.signing.frost.internal.Hashes;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The broadcast-consistency (echo) check of the DKG. Round-one packages travel through the
 * coordinator, which could show different participants different packages (equivocation) and so
 * split the group. Before part 3, each participant hashes the full set of round-one packages it
 * holds, its own included, and all compare: a digest that differs from one's own means that someone
 * saw another set. The digests must travel authenticated (signed by each participant), else the
 * coordinator could forge agreement.
 */
public final class DkgEcho {

  private static final String DOMAIN = "TPW-FROST-DKG-ECHO-v1";

  private DkgEcho() {}

  /** The digest of all round-one packages (keyed by sender, own included). */
  public static byte[] digest(Ciphersuite suite, Map<Identifier, Dkg.Round1Package> all) {
    Group group = suite.group();
    SortedMap<Identifier, Dkg.Round1Package> sorted = new TreeMap<>(all);
    List<byte[]> parts = new ArrayList<>();
    parts.add(Bytes.ascii(DOMAIN));
    parts.add(Bytes.ascii(suite.id()));
    parts.add(Bytes.toBigEndian(BigInteger.valueOf(sorted.size()), 4));
    sorted.forEach(
        (id, pkg) -> {
          parts.add(id.serialize(group));
          parts.add(Bytes.toBigEndian(BigInteger.valueOf(pkg.commitment().size()), 4));
          pkg.commitment().forEach(c -> parts.add(group.serializeElement(c)));
          parts.add(group.serializeElement(pkg.proofR()));
          parts.add(group.serializeScalar(pkg.proofZ()));
        });
    return Hashes.sha256(parts.toArray(new byte[0][]));
  }

  /**
   * Compares one's own digest with every peer's; throws {@link FrostException} (ECHO_MISMATCH)
   * naming the peers whose view differs. Which side lied cannot be told from here, so the DKG must
   * be aborted, not continued with the agreeing subset.
   */
  public static void verify(byte[] own, Map<Identifier, byte[]> peerDigests) {
    List<Identifier> differing = new ArrayList<>();
    new TreeMap<>(peerDigests)
        .forEach(
            (id, d) -> {
              if (!MessageDigest.isEqual(own, d)) {
                differing.add(id);
              }
            });
    if (!differing.isEmpty()) {
      throw new FrostException(
          FrostException.Reason.ECHO_MISMATCH,
          "round-one packages differ between participants; abort the DKG",
          differing);
    }
  }
}
