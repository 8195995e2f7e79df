package io.tpwallet.common.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a request is plainly JSON in and out: a body of declared length sent as JSON (UTF-8), and
 * an answer in JSON accepted without negotiation. What a servlet-filter fast path beside Spring MVC
 * may take; anything else it leaves to Spring MVC, which negotiates as it always did.
 */
public final class PlainJson {

  /** What a controller answers JSON for without negotiating: the only ones taken. */
  private static final Set<String> ACCEPTS = Set.of("*/*", "application/*", "application/json");

  private PlainJson() {}

  public static boolean test(HttpServletRequest request) {
    String type = request.getContentType();
    if (request.getContentLengthLong() <= 0 || type == null) {
      return false;
    }
    String bare = type.replace(" ", "").toLowerCase(Locale.ROOT);
    if (!bare.equals("application/json") && !bare.equals("application/json;charset=utf-8")) {
      return false;
    }
    Enumeration<String> accepts = request.getHeaders("Accept");
    while (accepts.hasMoreElements()) {
      for (String accept : accepts.nextElement().split(",")) {
        if (!ACCEPTS.contains(accept.strip().toLowerCase(Locale.ROOT))) {
          return false;
        }
      }
    }
    return true;
  }
}
