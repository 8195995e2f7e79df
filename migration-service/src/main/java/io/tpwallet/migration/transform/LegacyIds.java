package io.tpwallet.migration.transform;

import io.tpwallet.common.money.Asset;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Deterministic ids for what the migration creates, so that a replay (a restarted job, a second job
 * over the same legacy database) always names the same ledger transfer and account and the ledger
 * applies it at most once.
 *
 * <p>The idempotency key of a legacy row is {@code legacy:<table>:<pk>}. The ledger wants a UUID
 * transfer id, so the id is the name-based UUID version 5 (RFC 9562, SHA-1) of the key in the job's
 * namespace, {@link #NAMESPACE} unless the job was created with another: the same key always gives
 * the same id. A second legacy database migrated into the same ledger (its rows have the same
 * primary keys) needs a namespace of its own, else its rows would name the first one's transfers
 * and accounts; a job over the same legacy database again keeps the namespace so that replays are
 * no-ops.
 */
public final class LegacyIds {

  /** The default UUIDv5 namespace of TPWallet legacy migration names. Never change it. */
  public static final UUID NAMESPACE = UUID.fromString("3f6e2a8c-5b1d-4c7e-9a0f-7d2b8e4c1a60");

  /** The ids in the default namespace. */
  public static final LegacyIds DEFAULT = new LegacyIds(NAMESPACE);

  private final UUID namespace;

  public LegacyIds(UUID namespace) {
    this.namespace = namespace;
  }

  public UUID namespace() {
    return namespace;
  }

  public static String key(String table, long pk) {
    return "legacy:" + table + ":" + pk;
  }

  /** The key of the compensating transfer of a legacy row that was reversed after posting. */
  public static String reversalKey(String table, long pk) {
    return key(table, pk) + ":reversal";
  }

  /** The key of the opening-balance difference of a legacy wallet. */
  public static String openingKey(long walletId) {
    return key("wallets", walletId) + ":opening";
  }

  public UUID transferId(String key) {
    return v5(key);
  }

  /** The ledger account of a legacy wallet. */
  public UUID walletAccount(long walletId) {
    return v5(key("wallets", walletId));
  }

  /**
   * The platform customer (account-service) that legacy user {@code userId} is imported as: the
   * same user always names the same customer, so a replayed or repeated import is the same one.
   */
  public UUID customer(long userId) {
    return v5(key("users", userId));
  }

  /** Where opening-balance differences of one asset are booked, for people to clear. */
  public UUID suspenseAccount(Asset asset) {
    return v5("legacy:suspense:" + asset.code());
  }

  /** The outside world of the legacy wallet (deposits in, withdrawals out), per asset. */
  public UUID externalAccount(Asset asset) {
    return v5("legacy:external:" + asset.code());
  }

  UUID v5(String name) {
    try {
      var sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(
          ByteBuffer.allocate(16)
              .putLong(namespace.getMostSignificantBits())
              .putLong(namespace.getLeastSignificantBits())
              .array());
      byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
      hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
      hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
      var bytes = ByteBuffer.wrap(hash, 0, 16);
      return new UUID(bytes.getLong(), bytes.getLong());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
