package io.tpwallet.signing.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.tpwallet.signing.vault.SoftwareKeyEncryptionKey;
import io.tpwallet.testkit.TestPostgres;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A node's identity key against its real (migrated) database: kept across restarts, stored only
 * sealed, and made anew when the KEK that sealed it is gone, as after a new token.
 */
class NodeIdentityIT {

  private static final HexFormat HEX = HexFormat.of();

  private static SignerProperties properties() {
    return new SignerProperties(
        2,
        null,
        0,
        null,
        new SignerProperties.Vault("insecure-dev", null, 0, null, null, null),
        null);
  }

  private static SoftwareKeyEncryptionKey kek() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return new SoftwareKeyEncryptionKey(key);
  }

  private static boolean signs(NodeIdentity identity) {
    String dh = HEX.formatHex(ShareTransport.newKeyPair().getPublic().getEncoded());
    return TransportKeys.verifies(
        identity.publicKey(),
        TransportKeys.context(TransportKeys.DKG, "key-1", 2, dh),
        HEX.parseHex(identity.signTransportKey(TransportKeys.DKG, "key-1", dh)));
  }

  @Test
  void theIdentityKeySurvivesARestartIsStoredSealedAndIsRemadeUnderANewKek() {
    var server = TestPostgres.server();
    String url = TestPostgres.freshDatabase("signer_identity");
    var dataSource = new DriverManagerDataSource(url, server.user(), server.password());
    Flyway.configure().dataSource(dataSource).locations("classpath:db/signer").load().migrate();
    JdbcClient jdbc = JdbcClient.create(dataSource);
    SoftwareKeyEncryptionKey kek = kek();

    NodeIdentity first = new NodeIdentity(properties(), kek, jdbc, Clock.systemUTC());
    assertThat(signs(first)).isTrue();
    assertThat(first.fingerprint()).hasSize(64);
    // The row holds the public key and a sealed private key, never the private key itself.
    byte[] sealed =
        jdbc.sql("select sealed_private_key from node_identity where participant = 2")
            .query(byte[].class)
            .single();
    assertThat(HEX.formatHex(sealed)).doesNotContain(HEX.formatHex(first.publicKey()));

    NodeIdentity restarted = new NodeIdentity(properties(), kek, jdbc, Clock.systemUTC());
    assertThat(restarted.publicKey()).isEqualTo(first.publicKey());
    assertThat(signs(restarted)).isTrue();

    NodeIdentity newToken = new NodeIdentity(properties(), kek(), jdbc, Clock.systemUTC());
    assertThat(newToken.publicKey()).isNotEqualTo(first.publicKey());
    assertThat(signs(newToken)).isTrue();
    assertThat(jdbc.sql("select count(*) from node_identity").query(Long.class).single())
        .isEqualTo(1L);
  }
}
