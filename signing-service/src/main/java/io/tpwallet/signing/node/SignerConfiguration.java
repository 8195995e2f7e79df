package io.tpwallet.signing.node;

import io.tpwallet.signing.vault.JdbcShareStore;
import io.tpwallet.signing.vault.KeyEncryptionKey;
import io.tpwallet.signing.vault.Pkcs11KeyEncryptionKey;
import io.tpwallet.signing.vault.ShareVault;
import io.tpwallet.signing.vault.SoftwareKeyEncryptionKey;
import java.nio.file.Path;
import java.util.Base64;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The signer node's vault: PKCS#11 unless insecure dev mode is chosen explicitly. */
@Configuration(proxyBeanMethods = false)
@Profile("signer")
@EnableConfigurationProperties(SignerProperties.class)
class SignerConfiguration {

  @Bean
  KeyEncryptionKey keyEncryptionKey(SignerProperties properties) {
    SignerProperties.Vault vault = properties.vault();
    String mode = vault.mode() == null ? "pkcs11" : vault.mode();
    return switch (mode) {
      case "pkcs11" -> {
        if (vault.pin() == null || vault.pin().isEmpty()) {
          throw new IllegalStateException("tpw.signer.vault.pin (TPW_HSM_PIN) is required");
        }
        yield Pkcs11KeyEncryptionKey.open(
            vault.library() == null ? Path.of("/usr/lib/softhsm/libsofthsm2.so") : vault.library(),
            vault.slot(),
            vault.pin().toCharArray(),
            vault.keyLabel() == null ? "tpw-signing-kek" : vault.keyLabel(),
            true);
      }
      case "insecure-dev" -> {
        if (vault.devKek() == null || vault.devKek().isBlank()) {
          throw new IllegalStateException(
              "insecure-dev mode needs tpw.signer.vault.dev-kek (base64 of 32 bytes)");
        }
        yield new SoftwareKeyEncryptionKey(Base64.getDecoder().decode(vault.devKek()));
      }
      default ->
          throw new IllegalStateException(
              "tpw.signer.vault.mode must be pkcs11 or insecure-dev, not " + mode);
    };
  }

  @Bean
  ShareVault shareVault(KeyEncryptionKey kek, JdbcClient jdbc) {
    return new ShareVault(kek, new JdbcShareStore(jdbc));
  }
}
