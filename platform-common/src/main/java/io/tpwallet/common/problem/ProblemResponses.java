package io.tpwallet.common.problem;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an RFC 9457 problem detail straight to a servlet response, for the answers given before
 * any controller runs (a security filter's 401 and 403), in the type URIs of {@link ProblemTypes}.
 */
public final class ProblemResponses {

  private ProblemResponses() {}

  /**
   * Answers {@code status} with the problem type of {@code slug}; the detail is a fixed sentence.
   */
  public static void write(
      JsonMapper json,
      HttpServletRequest request,
      HttpServletResponse response,
      HttpStatus status,
      String slug,
      String detail)
      throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", ProblemTypes.of(slug).toString());
    body.put("title", status.getReasonPhrase());
    body.put("status", status.value());
    body.put("detail", detail);
    body.put("instance", request.getRequestURI());
    response.setStatus(status.value());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    response.getOutputStream().write(json.writeValueAsBytes(body));
  }
}
