package io.tpwallet.signing.coordinator;

import io.tpwallet.common.web.BufferedRequest;
import io.tpwallet.common.web.PlainJson;
import io.tpwallet.signing.coordinator.SigningController.SignRequest;
import io.tpwallet.signing.coordinator.SigningController.SignatureView;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Profile;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.filter.ServerHttpObservationFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/signing/keys/{keyId}/signatures}, the coordinator's hot path, answered without
 * Spring MVC's dispatch. JFR profiles of the signing benchmark (docs/benchmarks.md, "CPU per
 * signature") put about a third of the coordinator's samples into Tomcat, Spring MVC and Jackson
 * for the incoming requests, most of it the DispatcherServlet's machinery around the controller
 * (handler lookup, argument resolution, return-value handling, content negotiation), as the ledger
 * found for its transfer POST (its {@code TransferPostFilter}, which this follows).
 *
 * <p>The contract is the controller's, by construction: the same JSON mapper reads the body into
 * the same {@link SignRequest}, {@link SigningController#signed} checks and signs it, and the
 * answer is its {@link SignatureView} written by the same mapper. A request that is not plainly
 * JSON in and out (another content type or Accept, no declared length), a key id that needs
 * decoding, and a body that does not parse are handed on untouched (with the body already read) to
 * Spring MVC, which answers them exactly as before, since reading writes nothing; every refusal of
 * the checks or of the signing is given to Spring MVC's exception resolvers, i.e. the service's one
 * problem handler. It runs last among the filters, so the request id, the body limit and the HTTP
 * metrics (tagged with the controller's path pattern) apply to it as to every request.
 */
@Component
@Profile("!signer")
@Order(Ordered.LOWEST_PRECEDENCE)
class SignaturePostFilter extends OncePerRequestFilter {

  static final String PATH_PATTERN = "/v1/signing/keys/{keyId}/signatures";

  // Key ids are UUIDs; anything that Spring MVC would have to decode or match otherwise goes there.
  private static final Pattern PATH =
      Pattern.compile("/v1/signing/keys/([A-Za-z0-9_-]{1,64})/signatures");

  private final SigningController controller;
  private final ObjectReader reader;
  private final ObjectWriter writer;
  private final ObjectProvider<HandlerExceptionResolver> resolvers;

  SignaturePostFilter(
      SigningController controller,
      JsonMapper json,
      @Qualifier("handlerExceptionResolver") ObjectProvider<HandlerExceptionResolver> resolvers) {
    this.controller = controller;
    this.reader = json.readerFor(SignRequest.class);
    this.writer = json.writerFor(SignatureView.class);
    this.resolvers = resolvers;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !"POST".equals(request.getMethod()) || keyId(request) == null;
  }

  /** The key id of a signing POST's path, or null for any other path. */
  static @Nullable String keyId(HttpServletRequest request) {
    Matcher m = PATH.matcher(request.getRequestURI());
    return m.matches() ? m.group(1) : null;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String keyId = keyId(request);
    if (keyId == null || !PlainJson.test(request)) {
      chain.doFilter(request, response);
      return;
    }
    byte[] body = request.getInputStream().readAllBytes();
    SignRequest sign = parse(body);
    if (sign == null) {
      chain.doFilter(new BufferedRequest(request, body), response);
      return;
    }
    ServerHttpObservationFilter.findObservationContext(request)
        .ifPresent(context -> context.setPathPattern(PATH_PATTERN));
    SignatureView answer;
    try {
      answer = controller.signed(keyId, sign);
    } catch (RuntimeException e) {
      HandlerExceptionResolver resolver = resolvers.getObject();
      if (resolver.resolveException(request, response, null, e) == null) {
        throw e;
      }
      return;
    }
    byte[] json = writer.writeValueAsBytes(answer);
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType("application/json");
    response.setContentLength(json.length);
    response.getOutputStream().write(json);
  }

  /** The request, or null when the body does not parse into one (Spring MVC answers it). */
  private @Nullable SignRequest parse(byte[] body) {
    try {
      return reader.readValue(body);
    } catch (RuntimeException malformed) {
      return null;
    }
  }
}
