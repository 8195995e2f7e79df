package io.tpwallet.common.problem;

import java.net.URI;

/** Stable RFC 9457 problem type URIs, one per kind of error a client can act on. */
public final class ProblemTypes {

  public static final String BASE = "https://tpwallet.io/problems/";

  public static final URI VALIDATION = of("validation");
  public static final URI MALFORMED_REQUEST = of("malformed-request");
  public static final URI PAYLOAD_TOO_LARGE = of("payload-too-large");
  public static final URI NOT_FOUND = of("not-found");
  public static final URI METHOD_NOT_ALLOWED = of("method-not-allowed");
  public static final URI UNSUPPORTED_MEDIA_TYPE = of("unsupported-media-type");
  public static final URI UNKNOWN_ASSET = of("unknown-asset");
  public static final URI IDEMPOTENCY_KEY_MISSING = of("idempotency-key-missing");
  public static final URI IDEMPOTENCY_KEY_REUSED = of("idempotency-key-reused");
  public static final URI IDEMPOTENCY_KEY_IN_FLIGHT = of("idempotency-key-in-flight");
  public static final URI INSUFFICIENT_FUNDS = of("insufficient-funds");
  public static final URI CONFLICT = of("conflict");
  public static final URI INTERNAL = of("internal");

  private ProblemTypes() {}

  public static URI of(String slug) {
    return URI.create(BASE + slug);
  }
}
