package io.tpwallet.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;

/** Which requests need the key, and which keys are well formed. */
class IdempotencyKeyWebFilterTests {

  final IdempotencyKeyWebFilter filter =
      new IdempotencyKeyWebFilter(
          new IdempotencyKeyProperties(
              List.of("/v1/payments", "/v1/ledger/transfers", "/v1/ledger/transfers/*/post")),
          null);

  @Test
  void onlyTheMoneyMovingPostsNeedAKey() {
    assertThat(needs(HttpMethod.POST, "/v1/payments")).isTrue();
    assertThat(needs(HttpMethod.POST, "/v1/payments/")).isTrue();
    assertThat(needs(HttpMethod.POST, "/v1/ledger/transfers")).isTrue();
    assertThat(needs(HttpMethod.POST, "/v1/ledger/transfers/t-1/post")).isTrue();

    assertThat(needs(HttpMethod.GET, "/v1/payments")).isFalse();
    assertThat(needs(HttpMethod.PUT, "/v1/payments")).isFalse();
    assertThat(needs(HttpMethod.POST, "/v1/ledger/accounts")).isFalse();
    assertThat(needs(HttpMethod.POST, "/v1/ledger/transfers/t-1/post/x")).isFalse();
    assertThat(needs(HttpMethod.POST, "/v1/accounts/customers")).isFalse();
  }

  @Test
  void aKeyIsOneToTwoHundredFiftyFivePrintableAsciiCharacters() {
    assertThat(IdempotencyKeyWebFilter.wellFormed("k")).isTrue();
    assertThat(IdempotencyKeyWebFilter.wellFormed("k".repeat(255))).isTrue();
    assertThat(IdempotencyKeyWebFilter.wellFormed("order-42:~!")).isTrue();

    assertThat(IdempotencyKeyWebFilter.wellFormed("k".repeat(256))).isFalse();
    assertThat(IdempotencyKeyWebFilter.wellFormed("two words")).isFalse();
    assertThat(IdempotencyKeyWebFilter.wellFormed("caf\u00e9")).isFalse();
    assertThat(IdempotencyKeyWebFilter.wellFormed("")).isFalse();
  }

  private boolean needs(HttpMethod method, String path) {
    return filter.needsKey(method, PathContainer.parsePath(path));
  }
}
