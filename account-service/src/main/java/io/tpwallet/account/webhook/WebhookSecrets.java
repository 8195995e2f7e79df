package io.tpwallet.account.webhook;

import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * Merchants' signing secrets: made (256 random bits), sealed for storage with AES-256-GCM (the
 * subscription id as associated data, so a sealed secret cannot be moved to another row), opened to
 * sign, and the signature itself: HMAC-SHA256 over {@code "<timestamp>.<body>"}.
 */
final class WebhookSecrets {

  static final String PREFIX = "whsec_";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final @Nullable SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  WebhookSecrets(@Nullable String base64Key) {
    if (base64Key == null || base64Key.isBlank()) {
      this.key = null;
      return;
    }
    byte[] raw = Base64.getDecoder().decode(base64Key.strip());
    if (raw.length != 32) {
      throw new IllegalStateException(
          "tpw.account.webhooks.encryption-key must be base64 of 32 bytes, not " + raw.length);
    }
    this.key = new SecretKeySpec(raw, "AES");
  }

  String newSecret() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  byte[] seal(UUID subscription, String secret) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, requireKey(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(subscription.toString().getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal a webhook secret", e);
    }
  }

  String open(UUID subscription, byte[] sealed) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          requireKey(),
          new GCMParameterSpec(TAG_BITS, Arrays.copyOfRange(sealed, 0, NONCE_BYTES)));
      cipher.updateAAD(subscription.toString().getBytes(StandardCharsets.UTF_8));
      return new String(
          cipher.doFinal(Arrays.copyOfRange(sealed, NONCE_BYTES, sealed.length)),
          StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot open the secret of webhook " + subscription, e);
    }
  }

  /** {@code v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>}, what the merchant recomputes. */
  static String signature(String secret, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1=" + HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  boolean configured() {
    return key != null;
  }

  private SecretKeySpec requireKey() {
    if (key == null) {
      throw new ProblemException(
          HttpStatus.SERVICE_UNAVAILABLE,
          ProblemTypes.of("webhooks-not-configured"),
          "Webhooks not configured",
          "This service has no tpw.account.webhooks.encryption-key (TPW_WEBHOOK_KEY) to protect"
              + " webhook secrets with.");
    }
    return key;
  }
}
