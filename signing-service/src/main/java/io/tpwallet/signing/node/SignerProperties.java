package io.tpwallet.signing.node;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * A signer node's settings under {@code tpw.signer}: its participant id, how long unused nonces and
 * DKG sessions live, its vault, and the path of its roster file: the pinned identity keys of its
 * peers (see {@link PeerRoster}).
 */
@ConfigurationProperties("tpw.signer")
public record SignerProperties(
    int participant,
    @Nullable Duration nonceTtl,
    int nonceSessionsMax,
    @Nullable Duration dkgTtl,
    Vault vault,
    @Nullable String roster) {

  public SignerProperties {
    if (participant < 1 || participant > 65_535) {
      throw new IllegalArgumentException("tpw.signer.participant must be 1..65535");
    }
    nonceTtl = nonceTtl == null ? Duration.ofSeconds(60) : nonceTtl;
    nonceSessionsMax = nonceSessionsMax <= 0 ? 10_000 : nonceSessionsMax;
    dkgTtl = dkgTtl == null ? Duration.ofMinutes(5) : dkgTtl;
  }

  /**
   * {@code mode}: {@code pkcs11} (the default) or {@code insecure-dev}; for PKCS#11 the module,
   * slot, user PIN and KEK label; for dev mode a base64 AES-256 key.
   */
  public record Vault(
      @Nullable String mode,
      @Nullable Path library,
      long slot,
      @Nullable String pin,
      @Nullable String keyLabel,
      @Nullable String devKek) {}
}
