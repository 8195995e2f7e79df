package io.tpwallet.signing.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** Which paths the signing fast path takes; the rest must reach Spring MVC unchanged. */
class SignaturePostFilterTests {

  private static final String KEY = "0192f0c4-7d1e-7a3b-9c55-2f1e8d4b6a01";

  private static MockHttpServletRequest postTo(String path, String contentType, String... accepts) {
    var request = new MockHttpServletRequest("POST", path);
    request.setContentType(contentType);
    request.setContent("{}".getBytes(StandardCharsets.UTF_8));
    for (String accept : accepts) {
      request.addHeader("Accept", accept);
    }
    return request;
  }

  private static MockHttpServletRequest post(String contentType) {
    return postTo("/v1/signing/keys/" + KEY + "/signatures", contentType);
  }

  @Test
  void onlyTheSigningPathOfAPlainKeyIdIsTaken() {
    assertThat(SignaturePostFilter.keyId(post("application/json"))).isEqualTo(KEY);
    for (String other :
        new String[] {
          "/v1/signing/keys",
          "/v1/signing/keys/" + KEY,
          "/v1/signing/keys/" + KEY + "/signatures/",
          "/v1/signing/keys/" + KEY + "/refresh",
          "/v1/signing/keys/a%2Fb/signatures",
          "/v1/signing/keys//signatures",
          "/v1/signing/keys/a/b/signatures"
        }) {
      assertThat(SignaturePostFilter.keyId(postTo(other, "application/json"))).as(other).isNull();
    }
  }
}
