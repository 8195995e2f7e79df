package io.tpwallet.gateway.problem;

import java.net.URI;
import org.springframework.http.HttpStatus;

/**
 * The errors the gateway answers itself, each with a stable {@code type} URI that clients may
 * switch on. The details are fixed sentences: an exception message could name internal hosts.
 */
enum GatewayProblem {
  NOT_FOUND(HttpStatus.NOT_FOUND, "not-found", "No API answers at this path."),
  METHOD_NOT_ALLOWED(
      HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "This path does not accept the method."),
  PAYLOAD_TOO_LARGE(
      HttpStatus.CONTENT_TOO_LARGE,
      "payload-too-large",
      "The request body is larger than the gateway accepts."),
  BAD_GATEWAY(
      HttpStatus.BAD_GATEWAY,
      "bad-gateway",
      "The service behind this path closed the connection without an answer."),
  SERVICE_UNAVAILABLE(
      HttpStatus.SERVICE_UNAVAILABLE,
      "service-unavailable",
      "The service behind this path is unavailable; try again after the Retry-After delay."),
  GATEWAY_TIMEOUT(
      HttpStatus.GATEWAY_TIMEOUT,
      "gateway-timeout",
      "The service behind this path did not answer in time. For a payment, look it up before"
          + " sending it again with the same Idempotency-Key."),
  INTERNAL_ERROR(
      HttpStatus.INTERNAL_SERVER_ERROR,
      "internal-error",
      "The gateway failed to handle the request.");

  static final String TYPE_BASE = "https://tpwallet.io/problems/";

  final HttpStatus status;
  final URI type;
  final String detail;

  GatewayProblem(HttpStatus status, String slug, String detail) {
    this.status = status;
    this.type = URI.create(TYPE_BASE + slug);
    this.detail = detail;
  }
}
