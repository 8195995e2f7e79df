package io.tpwallet.signing.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class ShareVaultTests {

  private static List<TestSoftHsm.Token> tokens;

  @BeforeAll
  static void tokens() {
    tokens = TestSoftHsm.createTokens(2);
  }

  static final class MapStore implements ShareStore {
    final Map<String, SealedShare> rows = new HashMap<>();

    @Override
    public void insert(String keyId, int participant, SealedShare share) {
      if (rows.putIfAbsent(keyId + "/" + participant, share) != null) {
        throw new IllegalStateException("duplicate");
      }
    }

    @Override
    public Optional<SealedShare> find(String keyId, int participant) {
      return Optional.ofNullable(rows.get(keyId + "/" + participant));
    }

    @Override
    public void delete(String keyId, int participant) {
      rows.remove(keyId + "/" + participant);
    }
  }

  private static KeyEncryptionKey hsm(int token, boolean create) {
    TestSoftHsm.Token t = tokens.get(token);
    return Pkcs11KeyEncryptionKey.open(
        TestSoftHsm.LIBRARY, t.slot(), TestSoftHsm.PIN.toCharArray(), "tpw-kek", create);
  }

  private static byte[] share() {
    byte[] s = new byte[32];
    Arrays.fill(s, (byte) 7);
    return s;
  }

  @Test
  void aShareSealedInTheTokenOpensAgainAndTheInputIsWiped() {
    var store = new MapStore();
    var vault = new ShareVault(hsm(0, true), store);
    byte[] secret = share();

    vault.seal("key-1", 2, secret);

    assertThat(secret).containsOnly(0);
    byte[] stored = store.find("key-1", 2).orElseThrow().sealed();
    assertThat(stored).hasSize(12 + 32 + 16);
    assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain(new String(share(), java.nio.charset.StandardCharsets.ISO_8859_1));
    byte[][] seen = new byte[1][];
    byte[] opened =
        vault.withShare(
            "key-1",
            2,
            s -> {
              seen[0] = s;
              return s.clone();
            });
    assertThat(opened).isEqualTo(share());
    assertThat(seen[0]).as("opened plaintext is wiped after use").containsOnly(0);
    assertThat(store.find("key-1", 2).orElseThrow().kekId()).isEqualTo("pkcs11:tpw-kek");
  }

  @Test
  void theTokenKeepsTheKeyAcrossReopening() {
    var store = new MapStore();
    new ShareVault(hsm(0, true), store).seal("key-2", 1, share());

    var reopened = new ShareVault(hsm(0, false), store);

    assertThat(reopened.withShare("key-2", 1, byte[]::clone)).isEqualTo(share());
  }

  @Test
  void aShareMovedToAnotherKeyOrParticipantDoesNotOpen() {
    var store = new MapStore();
    var vault = new ShareVault(hsm(0, true), store);
    vault.seal("key-3", 1, share());
    var moved = store.find("key-3", 1).orElseThrow();
    store.insert("key-3", 2, moved);
    store.insert("key-4", 1, moved);

    assertThatThrownBy(() -> vault.withShare("key-3", 2, byte[]::clone))
        .isInstanceOf(VaultException.class);
    assertThatThrownBy(() -> vault.withShare("key-4", 1, byte[]::clone))
        .isInstanceOf(VaultException.class);
  }

  @Test
  void aTamperedShareDoesNotOpen() {
    var store = new MapStore();
    var vault = new ShareVault(hsm(0, true), store);
    vault.seal("key-5", 1, share());
    byte[] bytes = store.find("key-5", 1).orElseThrow().sealed().clone();
    bytes[20] ^= 1;
    store.rows.put("key-5/1", new ShareStore.SealedShare("pkcs11:tpw-kek", bytes));

    assertThatThrownBy(() -> vault.withShare("key-5", 1, byte[]::clone))
        .isInstanceOf(VaultException.class);
  }

  @Test
  void anotherTokensKeyCannotOpenIt() {
    var store = new MapStore();
    new ShareVault(hsm(0, true), store).seal("key-6", 1, share());

    var other = new ShareVault(hsm(1, true), store);

    assertThatThrownBy(() -> other.withShare("key-6", 1, byte[]::clone))
        .isInstanceOf(VaultException.class)
        .hasMessageContaining("does not open");
  }

  @Test
  void aWrongPinOrAMissingKeyIsRefused() {
    TestSoftHsm.Token t = tokens.get(1);
    assertThatThrownBy(
            () ->
                Pkcs11KeyEncryptionKey.open(
                    TestSoftHsm.LIBRARY, t.slot(), "wrong".toCharArray(), "tpw-kek", true))
        .isInstanceOf(VaultException.class);
    assertThatThrownBy(
            () ->
                Pkcs11KeyEncryptionKey.open(
                    TestSoftHsm.LIBRARY,
                    t.slot(),
                    TestSoftHsm.PIN.toCharArray(),
                    "never-made",
                    false))
        .isInstanceOf(VaultException.class)
        .hasMessageContaining("no key labelled never-made");
  }

  @Test
  void theInsecureDevKeyWarnsAndSealsOnlyUnderItsOwnId(CapturedOutput output) {
    byte[] keyBytes = new byte[32];
    Arrays.fill(keyBytes, (byte) 1);
    var store = new MapStore();
    var dev = new ShareVault(new SoftwareKeyEncryptionKey(keyBytes), store);
    assertThat(keyBytes).as("the configured key bytes are wiped").containsOnly(0);
    assertThat(output.getOut() + output.getErr()).contains("WARN").contains("INSECURE dev mode");

    dev.seal("key-7", 3, share());

    assertThat(dev.withShare("key-7", 3, byte[]::clone)).isEqualTo(share());
    var hsmVault = new ShareVault(hsm(0, true), store);
    assertThatThrownBy(() -> hsmVault.withShare("key-7", 3, byte[]::clone))
        .hasMessageContaining("sealed under software:insecure-dev");
  }

  @Test
  void keyIdAndParticipantAreBoundWithoutAmbiguity() {
    assertThat(ShareVault.aad("ab", 1)).isNotEqualTo(ShareVault.aad("a", 1));
    assertThat(ShareVault.aad("k", 1)).isNotEqualTo(ShareVault.aad("k", 256));
    assertThatThrownBy(() -> ShareVault.aad("", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ShareVault.aad("k", 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
