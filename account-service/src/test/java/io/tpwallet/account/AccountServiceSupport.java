package io.tpwallet.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the account-service ITs share: users who sign up and log in with a device key, client
 * tokens, JSON calls over HTTP and counts of rows and audit events.
 */
abstract class AccountServiceSupport {

  static final String OPS = "ops-test";
  static final String OPS_SECRET = "ops-test-secret-0123456789";
  static final String ISSUER = "http://127.0.0.1:8081";

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired JsonMapper json;

  final HttpClient http = HttpClient.newHttpClient();

  record Answer(int status, JsonNode body, HttpResponse<String> raw) {
    String text(String field) {
      return body.get(field).asString();
    }
  }

  record User(UUID id, String email, ECKey device, String access, String refresh, UUID session) {}

  Answer signUp(String email) throws Exception {
    return call(
        "POST",
        "/v1/accounts/customers",
        null,
        "{\"displayName\":\"Test\",\"email\":\""
            + email
            + "\",\"password\":\"correct horse battery\"}");
  }

  User newUser() throws Exception {
    String email = "u-" + UUID.randomUUID() + "@example.com";
    UUID id = UUID.fromString(signUp(email).text("id"));
    ECKey device = new ECKeyGenerator(Curve.P_256).generate();
    Answer login =
        call(
            "POST",
            "/v1/accounts/sessions",
            null,
            "{\"email\":\""
                + email
                + "\",\"password\":\"correct horse battery\",\"deviceName\":\"phone\","
                + "\"devicePublicJwk\":"
                + device.toPublicJWK().toJSONString()
                + "}");
    assertThat(login.status()).as(login.body().toString()).isEqualTo(201);
    return new User(
        id,
        email,
        device,
        login.text("accessToken"),
        login.text("refreshToken"),
        UUID.fromString(login.text("sessionId")));
  }

  Answer refresh(String refreshToken, ECKey device) throws Exception {
    String rth =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                MessageDigest.getInstance("SHA-256")
                    .digest(refreshToken.getBytes(StandardCharsets.UTF_8)));
    SignedJWT proof =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).build(),
            new JWTClaimsSet.Builder().claim("rth", rth).issueTime(new Date()).build());
    proof.sign(new ECDSASigner(device));
    return call(
        "POST",
        "/v1/accounts/sessions/refresh",
        null,
        "{\"refreshToken\":\"" + refreshToken + "\",\"proof\":\"" + proof.serialize() + "\"}");
  }

  Answer authorize(User user, String amount, String asset) throws Exception {
    return authorizeAt(
        "/v1/accounts/customers/" + user.id() + "/limits/authorizations",
        user.access(),
        amount,
        asset);
  }

  /** A payment of a new id counted against the limits at {@code path}. */
  Answer authorizeAt(String path, String token, String amount, String asset) throws Exception {
    return call(
        "POST",
        path,
        token,
        "{\"paymentId\":\""
            + UUID.randomUUID()
            + "\",\"amount\":\""
            + amount
            + "\",\"asset\":\""
            + asset
            + "\"}");
  }

  static String kycBody(String tier, String document) {
    return "{\"tier\":\""
        + tier
        + "\",\"documentType\":\"passport\",\"documentNumber\":\""
        + document
        + "\",\"fullName\":\"Carol Test\"}";
  }

  Answer clientToken(String id, String secret, String scope) throws Exception {
    String form =
        "grant_type=client_credentials"
            + (scope == null ? "" : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/accounts/oauth2/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8)))
            .POST(BodyPublishers.ofString(form))
            .build();
    var response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), json.readTree(response.body()), response);
  }

  Answer call(String method, String path, String token, String body) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode node =
        response.body().isEmpty() ? json.createObjectNode() : json.readTree(response.body());
    return new Answer(response.statusCode(), node, response);
  }

  long count(String table) {
    return jdbc.sql("select count(*) from " + table).query(Long.class).single();
  }

  long audit(String target, String action, String outcome) {
    return jdbc.sql(
            "select count(*) from audit_event where (cast(? as text) is null or target = ?)"
                + " and action = ? and outcome = ?")
        .params(target, target, action, outcome)
        .query(Long.class)
        .single();
  }
}
