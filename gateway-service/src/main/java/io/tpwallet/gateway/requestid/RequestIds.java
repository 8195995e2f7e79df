package io.tpwallet.gateway.requestid;

import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/** The request id of an exchange: the client's if it is well formed, else a fresh UUID. */
public final class RequestIds {

  /** The header a client may send, that the backends receive and that every answer carries. */
  public static final String HEADER = "X-Request-Id";

  /** ECS field name, so that log search finds a request by the same name in every service. */
  public static final String MDC_KEY = "http.request.id";

  /** Longer ids are not ids but payloads; they are replaced rather than logged. */
  static final int REQUEST_ID_LENGTH_MAX = 128;

  private static final String ATTRIBUTE = RequestIds.class.getName() + ".id";

  // A closed alphabet keeps client-chosen ids from injecting anything into logs or headers.
  private static final Pattern WELL_FORMED =
      Pattern.compile("[A-Za-z0-9._:-]{1," + REQUEST_ID_LENGTH_MAX + "}");

  private RequestIds() {}

  /** The id of this exchange, or "-" for an exchange that did not pass the request id filter. */
  public static String of(ServerWebExchange exchange) {
    String id = exchange.getAttribute(ATTRIBUTE);
    return id == null ? "-" : id;
  }

  static void set(ServerWebExchange exchange, String id) {
    exchange.getAttributes().put(ATTRIBUTE, id);
  }

  static String acceptOrCreate(@Nullable String offered) {
    if (offered != null && WELL_FORMED.matcher(offered).matches()) {
      return offered;
    }
    return UUID.randomUUID().toString();
  }
}
