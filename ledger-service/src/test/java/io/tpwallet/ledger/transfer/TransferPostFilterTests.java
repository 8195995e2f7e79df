package io.tpwallet.ledger.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** Which transfer POSTs the fast path takes; the rest must reach Spring MVC unchanged. */
class TransferPostFilterTests {

  private static MockHttpServletRequest post(String contentType, String... accepts) {
    var request = new MockHttpServletRequest("POST", TransferPostFilter.PATH);
    request.setContentType(contentType);
    request.setContent("{}".getBytes(StandardCharsets.UTF_8));
    for (String accept : accepts) {
      request.addHeader("Accept", accept);
    }
    return request;
  }

  @Test
  void plainJsonWithoutOrWithAJsonAcceptIsTaken() {
    assertThat(TransferPostFilter.plainJson(post("application/json"))).isTrue();
    assertThat(TransferPostFilter.plainJson(post("application/json; charset=UTF-8"))).isTrue();
    assertThat(TransferPostFilter.plainJson(post("application/json", "*/*"))).isTrue();
    assertThat(TransferPostFilter.plainJson(post("application/json", "application/json, */*")))
        .isTrue();
  }

  @Test
  void anythingThatNeedsNegotiationOrAnotherReaderGoesToSpringMvc() {
    assertThat(TransferPostFilter.plainJson(post("text/plain"))).isFalse();
    assertThat(TransferPostFilter.plainJson(post("application/json; charset=ISO-8859-1")))
        .isFalse();
    assertThat(TransferPostFilter.plainJson(post("application/merge-patch+json"))).isFalse();
    assertThat(TransferPostFilter.plainJson(post("application/json", "text/html"))).isFalse();
    assertThat(TransferPostFilter.plainJson(post("application/json", "application/json;q=0")))
        .isFalse();
    assertThat(
            TransferPostFilter.plainJson(post("application/json", "application/json, text/plain")))
        .isFalse();
    var noType = new MockHttpServletRequest("POST", TransferPostFilter.PATH);
    noType.setContent("{}".getBytes(StandardCharsets.UTF_8));
    assertThat(TransferPostFilter.plainJson(noType)).isFalse();
    var empty = post("application/json");
    empty.setContent(new byte[0]);
    assertThat(TransferPostFilter.plainJson(empty)).isFalse();
  }
}
