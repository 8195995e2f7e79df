package io.tpwallet.common.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** Which requests a JSON fast path may take; the rest must reach Spring MVC unchanged. */
class PlainJsonTests {

  private static MockHttpServletRequest post(String contentType, String... accepts) {
    var request = new MockHttpServletRequest("POST", "/anything");
    request.setContentType(contentType);
    request.setContent("{}".getBytes(StandardCharsets.UTF_8));
    for (String accept : accepts) {
      request.addHeader("Accept", accept);
    }
    return request;
  }

  @Test
  void plainJsonWithoutOrWithAJsonAcceptIsTaken() {
    assertThat(PlainJson.test(post("application/json"))).isTrue();
    assertThat(PlainJson.test(post("application/json; charset=UTF-8"))).isTrue();
    assertThat(PlainJson.test(post("application/json", "*/*"))).isTrue();
    assertThat(PlainJson.test(post("application/json", "application/json, */*"))).isTrue();
  }

  @Test
  void anythingThatNeedsNegotiationOrAnotherReaderIsNot() {
    assertThat(PlainJson.test(post("text/plain"))).isFalse();
    assertThat(PlainJson.test(post("application/json; charset=ISO-8859-1"))).isFalse();
    assertThat(PlainJson.test(post("application/merge-patch+json"))).isFalse();
    assertThat(PlainJson.test(post("application/json", "text/html"))).isFalse();
    assertThat(PlainJson.test(post("application/json", "application/problem+json"))).isFalse();
    assertThat(PlainJson.test(post("application/json", "application/json;q=0"))).isFalse();
    var noType = new MockHttpServletRequest("POST", "/anything");
    noType.setContent("{}".getBytes(StandardCharsets.UTF_8));
    assertThat(PlainJson.test(noType)).isFalse();
    var empty = post("application/json");
    empty.setContent(new byte[0]);
    assertThat(PlainJson.test(empty)).isFalse();
  }
}
