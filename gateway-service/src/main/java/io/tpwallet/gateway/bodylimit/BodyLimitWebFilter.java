package io.tpwallet.gateway.bodylimit;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.PayloadTooLargeException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Refuses request bodies above {@code tpw.gateway.request-body-bytes-max} with 413 before any
 * backend is called.
 *
 * <p>A declared Content-Length is checked up front and the body then streams through, since the
 * server enforces the declared framing. A body without a length (chunked) is read up to the limit
 * first and forwarded only when it fits, so that a backend never sees half of a refused request;
 * the limit bounds the memory this takes per request.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class BodyLimitWebFilter implements WebFilter {

  /** Payment and ledger commands are a few hundred bytes; 64 KiB leaves ample room. */
  static final int REQUEST_BODY_BYTES_MAX_DEFAULT = 64 * 1024;

  private final int requestBodyBytesMax;

  BodyLimitWebFilter(
      @Value("${tpw.gateway.request-body-bytes-max:" + REQUEST_BODY_BYTES_MAX_DEFAULT + "}")
          int requestBodyBytesMax) {
    if (requestBodyBytesMax <= 0) {
      throw new IllegalArgumentException(
          "tpw.gateway.request-body-bytes-max must be positive: " + requestBodyBytesMax);
    }
    this.requestBodyBytesMax = requestBodyBytesMax;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ServerHttpRequest request = exchange.getRequest();
    long declaredBytes = request.getHeaders().getContentLength();
    if (declaredBytes > requestBodyBytesMax) {
      return Mono.error(tooLarge());
    }
    if (declaredBytes >= 0) {
      return chain.filter(exchange);
    }
    return DataBufferUtils.join(request.getBody(), requestBodyBytesMax)
        .map(BodyLimitWebFilter::copyAndRelease)
        .defaultIfEmpty(new byte[0])
        .onErrorMap(DataBufferLimitException.class, e -> tooLarge())
        .flatMap(body -> chain.filter(exchange.mutate().request(withBody(request, body)).build()));
  }

  private PayloadTooLargeException tooLarge() {
    return new PayloadTooLargeException(
        new IllegalStateException("request body is larger than " + requestBodyBytesMax + " bytes"));
  }

  private static byte[] copyAndRelease(DataBuffer joined) {
    try {
      byte[] bytes = new byte[joined.readableByteCount()];
      joined.read(bytes);
      return bytes;
    } finally {
      DataBufferUtils.release(joined);
    }
  }

  /**
   * The buffered body, sent with its length: plain heap buffers need no release, and every
   * subscription (a retried GET, say) gets the whole body again.
   */
  private static ServerHttpRequest withBody(ServerHttpRequest request, byte[] body) {
    ServerHttpRequest withLength =
        request
            .mutate()
            .headers(
                h -> {
                  h.remove(HttpHeaders.TRANSFER_ENCODING);
                  if (body.length > 0) {
                    h.setContentLength(body.length);
                  }
                })
            .build();
    return new ServerHttpRequestDecorator(withLength) {
      @Override
      public Flux<DataBuffer> getBody() {
        return body.length == 0
            ? Flux.empty()
            : Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body)));
      }
    };
  }
}
