package io.tpwallet.common.problem;

import java.net.URI;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * An operating error a client can act on, answered as an RFC 9457 problem detail with a stable
 * type. Throw it from any layer; the service's problem handler renders it.
 */
public class ProblemException extends RuntimeException {

  private final HttpStatus status;
  private final URI type;
  private final String title;
  private final Map<String, Object> properties;

  public ProblemException(HttpStatus status, URI type, String title, String detail) {
    this(status, type, title, detail, Map.of());
  }

  public ProblemException(
      HttpStatus status, URI type, String title, String detail, Map<String, Object> properties) {
    super(detail);
    this.status = status;
    this.type = type;
    this.title = title;
    this.properties = Map.copyOf(properties);
  }

  public static ProblemException badRequest(URI type, String title, String detail) {
    return new ProblemException(HttpStatus.BAD_REQUEST, type, title, detail);
  }

  public static ProblemException unprocessable(URI type, String title, String detail) {
    return new ProblemException(HttpStatus.UNPROCESSABLE_CONTENT, type, title, detail);
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(HttpStatus.NOT_FOUND, ProblemTypes.NOT_FOUND, "Not found", detail);
  }

  public HttpStatus status() {
    return status;
  }

  public ProblemDetail toProblemDetail(@Nullable URI instance) {
    var problem = ProblemDetail.forStatusAndDetail(status, getMessage());
    problem.setType(type);
    problem.setTitle(title);
    if (instance != null) {
      problem.setInstance(instance);
    }
    properties.forEach(problem::setProperty);
    return problem;
  }
}
