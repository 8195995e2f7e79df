package io.tpwallet.gateway.grayrelease;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * One gray-release setting: the share of users sent to the new platform, and users pinned to a
 * side. A user's side depends only on the user id and this setting, so a user never flips between
 * sides while the setting stays; raising {@code percent} only moves users from legacy to new (each
 * user has a fixed bucket in 0..9999 and goes to the new side when the bucket is below {@code
 * percent * 100}).
 *
 * @param percent 0..100, the share of users (not of requests) on the new platform
 * @param allow users always on the new platform
 * @param deny users always on the legacy wallet; deny wins over allow
 */
public record GrayRelease(int percent, Set<String> allow, Set<String> deny) {

  /** Users pinned to a side, per list. */
  public static final int LIST_USERS_MAX = 10_000;

  /** Longest user id (a token subject or the user header). */
  public static final int USER_ID_LENGTH_MAX = 128;

  static final int BUCKETS = 10_000;

  /** Where a request goes. */
  public enum Side {
    NEW,
    LEGACY
  }

  public GrayRelease {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent must be within 0..100");
    }
    allow = Set.copyOf(allow);
    deny = Set.copyOf(deny);
    if (allow.size() > LIST_USERS_MAX || deny.size() > LIST_USERS_MAX) {
      throw new IllegalArgumentException("an allow or deny list holds at most 10000 users");
    }
    for (String user : allow) {
      checkUserId(user);
    }
    for (String user : deny) {
      checkUserId(user);
    }
  }

  /** Everyone on the legacy wallet: the setting before the first change. */
  public static GrayRelease allLegacy() {
    return new GrayRelease(0, Set.of(), Set.of());
  }

  /** The side of {@code userId}. */
  public Side sideOf(String userId) {
    if (deny.contains(userId)) {
      return Side.LEGACY;
    }
    if (allow.contains(userId)) {
      return Side.NEW;
    }
    return bucketOf(userId) < percent * (BUCKETS / 100) ? Side.NEW : Side.LEGACY;
  }

  /** The user's fixed bucket in 0..9999: the first 8 bytes of SHA-256(user id), unsigned. */
  static int bucketOf(String userId) {
    byte[] digest = sha256().digest(userId.getBytes(StandardCharsets.UTF_8));
    long head = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      head = (head << 8) | (digest[i] & 0xff);
    }
    return (int) Long.remainderUnsigned(head, BUCKETS);
  }

  static void checkUserId(String userId) {
    if (userId.isEmpty() || userId.length() > USER_ID_LENGTH_MAX) {
      throw new IllegalArgumentException("a user id has 1..128 characters");
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
