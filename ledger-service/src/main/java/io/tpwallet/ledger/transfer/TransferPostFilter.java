package io.tpwallet.ledger.transfer;

import io.tpwallet.common.web.BufferedRequest;
import io.tpwallet.common.web.PlainJson;
import io.tpwallet.ledger.transfer.TransferController.TransferRequest;
import io.tpwallet.ledger.transfer.TransferController.TransferResponse;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
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
 * {@code POST /v1/ledger/transfers}, the single-transfer hot path, answered without Spring MVC's
 * dispatch. A JFR profile of the benchmark (docs/benchmarks.md, "Ledger (issue 3)") put about a
 * quarter of the ledger's CPU per transfer into the DispatcherServlet's machinery around the
 * controller (handler lookup, argument resolution, return-value handling, content negotiation, each
 * converter asked in turn), against a few percent for the controller itself.
 *
 * <p>The contract is the controller's, by construction: the same JSON mapper reads the body into
 * the same {@link TransferRequest}, {@link TransferController#validate(TransferRequest)} checks it,
 * the same service posts it, and the answer is the controller's 201 (with Location) or 200 and its
 * {@link TransferResponse}. Everything else goes the ordinary way: a request that is not plainly
 * JSON in and out (another content type or Accept, no declared length) and a body that does not
 * parse or validate are handed on untouched (with the body already read) to Spring MVC, which
 * answers them exactly as before, since reading and validating write nothing; a refusal or error of
 * the posting itself is given to Spring MVC's exception resolvers, i.e. the service's one problem
 * handler. It runs last among the filters, so the request id, the body limit, the HTTP metrics
 * (tagged with this path) and the Idempotency-Key filter apply to it as to every request.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class TransferPostFilter extends OncePerRequestFilter {

  static final String PATH = "/v1/ledger/transfers";

  private final TransferService transfers;
  private final ObjectReader reader;
  private final ObjectWriter writer;
  private final ObjectProvider<HandlerExceptionResolver> resolvers;

  TransferPostFilter(
      TransferService transfers,
      JsonMapper json,
      @Qualifier("handlerExceptionResolver") ObjectProvider<HandlerExceptionResolver> resolvers) {
    this.transfers = transfers;
    this.reader = json.readerFor(TransferRequest.class);
    this.writer = json.writerFor(TransferResponse.class);
    this.resolvers = resolvers;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !"POST".equals(request.getMethod()) || !PATH.equals(request.getRequestURI());
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!PlainJson.test(request)) {
      chain.doFilter(request, response);
      return;
    }
    byte[] body = request.getInputStream().readAllBytes();
    TransferCommand command = command(body);
    if (command == null) {
      chain.doFilter(new BufferedRequest(request, body), response);
      return;
    }
    ServerHttpObservationFilter.findObservationContext(request)
        .ifPresent(context -> context.setPathPattern(PATH));
    try {
      answer(transfers.post(command), command, response);
    } catch (RuntimeException e) {
      HandlerExceptionResolver resolver = resolvers.getObject();
      if (resolver.resolveException(request, response, null, e) == null) {
        throw e;
      }
    }
  }

  /** The checked command, or null when the body does not parse or validate (MVC answers it). */
  private @Nullable TransferCommand command(byte[] body) {
    try {
      TransferRequest request = reader.readValue(body);
      return request == null ? null : TransferController.validate(request);
    } catch (RuntimeException malformedOrInvalid) {
      return null;
    }
  }

  /** The controller's answer: 201 with Location when posted now, 200 on a replay, else refused. */
  private void answer(Posting posting, TransferCommand command, HttpServletResponse response)
      throws IOException {
    Transfer transfer = posting.transfer();
    switch (posting.result()) {
      case OK -> {
        response.setStatus(HttpServletResponse.SC_CREATED);
        response.setHeader("Location", PATH + "/" + command.id());
      }
      case EXISTS -> response.setStatus(HttpServletResponse.SC_OK);
      default -> throw TransferController.refusal(posting, command);
    }
    if (transfer == null) {
      throw new IllegalStateException("a posting that succeeded names its transfer");
    }
    byte[] json = writer.writeValueAsBytes(TransferResponse.written(transfer));
    response.setContentType("application/json");
    response.setContentLength(json.length);
    response.getOutputStream().write(json);
  }
}
