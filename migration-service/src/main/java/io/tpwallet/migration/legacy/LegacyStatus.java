package io.tpwallet.migration.legacy;

import java.util.Optional;

/** The legacy numeric status codes of a transaction and what they mean. */
public enum LegacyStatus {
  PENDING(0),
  SUCCESS(1),
  FAILED(2),
  REVERSED(3),
  CANCELLED(9);

  private final int code;

  LegacyStatus(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The status a legacy code stands for; empty for a code the legacy app never documented. */
  public static Optional<LegacyStatus> of(int code) {
    for (LegacyStatus s : values()) {
      if (s.code == code) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
