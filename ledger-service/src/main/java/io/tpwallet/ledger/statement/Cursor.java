package io.tpwallet.ledger.statement;

import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A keyset position (created_at, tiebreak) as an opaque URL-safe string, so that pages stay stable
 * while rows are appended and clients do not build positions themselves. The tiebreak is a transfer
 * id or an entry id, as a string.
 */
record Cursor(Instant at, String tiebreak) {

  private static final Pattern FORM = Pattern.compile("(-?[0-9]{1,19}):([0-9a-f-]{1,36})");

  String encode() {
    String raw = micros(at) + ":" + tiebreak;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static Cursor decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      var m = FORM.matcher(raw);
      if (m.matches()) {
        long micros = Long.parseLong(m.group(1));
        return new Cursor(
            Instant.ofEpochSecond(
                Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L),
            m.group(2));
      }
    } catch (IllegalArgumentException e) {
      // fall through: answered as a bad cursor below
    }
    throw ProblemException.badRequest(
        ProblemTypes.VALIDATION, "Invalid cursor", "The cursor is not one this API gave out.");
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }
}
