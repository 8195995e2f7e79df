package io.tpwallet.common.problem;

import io.tpwallet.common.web.BodySizeLimitFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one place a servlet service turns exceptions into RFC 9457 problem details: domain problems
 * with their own type, Spring MVC's errors with a stable type, and anything unexpected as a 500
 * that says nothing of the internals (the log has the stack trace).
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

  @ExceptionHandler(ProblemException.class)
  ResponseEntity<ProblemDetail> problem(ProblemException e, HttpServletRequest request) {
    return ResponseEntity.status(e.status()).body(e.toProblemDetail(instance(request)));
  }

  @ExceptionHandler(MissingRequestHeaderException.class)
  ResponseEntity<ProblemDetail> missingHeader(
      MissingRequestHeaderException e, HttpServletRequest request) {
    URI type =
        HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(e.getHeaderName())
            ? ProblemTypes.MALFORMED_REQUEST
            : "Idempotency-Key".equalsIgnoreCase(e.getHeaderName())
                ? ProblemTypes.IDEMPOTENCY_KEY_MISSING
                : ProblemTypes.VALIDATION;
    return problem(
        ProblemException.badRequest(
            type, "Missing header", "The header " + e.getHeaderName() + " is required."),
        request);
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<ProblemDetail> typeMismatch(
      MethodArgumentTypeMismatchException e, HttpServletRequest request) {
    return problem(
        ProblemException.badRequest(
            ProblemTypes.VALIDATION,
            "Invalid parameter",
            "The parameter " + e.getName() + " has an invalid value."),
        request);
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
    log.error("Unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
    var problem =
        new ProblemException(
            HttpStatus.INTERNAL_SERVER_ERROR,
            ProblemTypes.INTERNAL,
            "Internal error",
            "The request could not be completed; it has been logged.");
    return problem(problem, request);
  }

  @Override
  protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(
      MethodArgumentNotValidException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    List<Map<String, String>> errors =
        e.getBindingResult().getFieldErrors().stream()
            .map(
                f ->
                    Map.of(
                        "field",
                        f.getField(),
                        "message",
                        f.getDefaultMessage() == null ? "invalid" : f.getDefaultMessage()))
            .toList();
    var problem =
        new ProblemException(
            HttpStatus.BAD_REQUEST,
            ProblemTypes.VALIDATION,
            "Invalid request",
            "The request has " + errors.size() + " invalid field(s).",
            Map.of("errors", errors));
    return ResponseEntity.badRequest().body(problem.toProblemDetail(instance(request)));
  }

  @Override
  protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    if (BodySizeLimitFilter.isTooLarge(e)) {
      var tooLarge =
          new ProblemException(
              HttpStatus.CONTENT_TOO_LARGE,
              ProblemTypes.PAYLOAD_TOO_LARGE,
              "Payload too large",
              "The request body is larger than this endpoint accepts.");
      return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
          .body(tooLarge.toProblemDetail(instance(request)));
    }
    var problem =
        ProblemException.badRequest(
            ProblemTypes.MALFORMED_REQUEST,
            "Malformed request",
            "The request body is missing or is not valid JSON of the expected shape.");
    return ResponseEntity.badRequest().body(problem.toProblemDetail(instance(request)));
  }

  @Override
  protected @Nullable ResponseEntity<Object> createResponseEntity(
      @Nullable Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    // Spring's own errors (405, 415, 404, 413 ...) come here already as ProblemDetail;
    // give them our stable type URIs.
    if (body instanceof ProblemDetail problem) {
      problem.setType(typeFor(status));
      problem.setInstance(instance(request));
    }
    return super.createResponseEntity(body, headers, status, request);
  }

  private static URI typeFor(HttpStatusCode status) {
    return switch (status.value()) {
      case 404 -> ProblemTypes.NOT_FOUND;
      case 405 -> ProblemTypes.METHOD_NOT_ALLOWED;
      case 413 -> ProblemTypes.PAYLOAD_TOO_LARGE;
      case 415 -> ProblemTypes.UNSUPPORTED_MEDIA_TYPE;
      case 400 -> ProblemTypes.MALFORMED_REQUEST;
      default -> ProblemTypes.of("http-" + status.value());
    };
  }

  static @Nullable URI instance(HttpServletRequest request) {
    return URI.create(request.getRequestURI());
  }

  static @Nullable URI instance(WebRequest request) {
    return request instanceof ServletWebRequest servlet ? instance(servlet.getRequest()) : null;
  }
}
