package io.tpwallet.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.tpwallet.account.keys.SigningKeys;
import io.tpwallet.testkit.Infrastructure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * account-service over HTTP against a real PostgreSQL: sign-up, login with a device key, tokens,
 * KYC tiers and limits, BOLA, API clients, sessions, key rotation, and the audit log of each.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "tpw.account.ops-client.id=ops-test",
      "tpw.account.ops-client.secret=ops-test-secret-0123456789",
      "tpw.outbox.relay-enabled=false"
    })
class AccountIT extends AccountServiceSupport {

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "account");
  }

  @Autowired SigningKeys keys;

  // ---------------------------------------------------------------- customers and validation

  @Test
  void signUpChecksEveryFieldWritesNothingOnBadInputAndRefusesADuplicateEmail() throws Exception {
    long before = count("customer");
    Answer bad =
        call(
            "POST",
            "/v1/accounts/customers",
            null,
            "{\"displayName\":\"\",\"email\":\"nope\"," + "\"password\":\"short\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.raw().headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(bad.text("type")).isEqualTo("https://tpwallet.io/problems/validation");
    assertThat(bad.body().get("errors")).hasSize(3);
    assertThat(call("POST", "/v1/accounts/customers", null, "{not json").status()).isEqualTo(400);
    assertThat(count("customer")).isEqualTo(before);

    String email = "dup-" + UUID.randomUUID() + "@example.com";
    Answer first = signUp(email);
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.text("kycTier")).isEqualTo("L0");
    assertThat(first.text("kind")).isEqualTo("INDIVIDUAL");
    Answer again = signUp(email.toUpperCase(java.util.Locale.ROOT));
    assertThat(again.status()).isEqualTo(409);
    assertThat(count("customer")).isEqualTo(before + 1);
    assertThat(
            jdbc.sql("select password_hash from customer_credential where customer_id = ?")
                .param(UUID.fromString(first.text("id")))
                .query(String.class)
                .single())
        .startsWith("$argon2id$");
  }

  @Test
  void anotherUsersCustomerIsNotFoundAndTheRefusalIsAudited() throws Exception {
    User alice = newUser();
    User bob = newUser();
    assertThat(call("GET", "/v1/accounts/customers/" + alice.id(), alice.access(), null).status())
        .isEqualTo(200);
    Answer bola = call("GET", "/v1/accounts/customers/" + alice.id(), bob.access(), null);
    assertThat(bola.status()).isEqualTo(404);
    assertThat(bola.text("type")).isEqualTo("https://tpwallet.io/problems/not-found");
    Answer unknown = call("GET", "/v1/accounts/customers/" + UUID.randomUUID(), bob.access(), null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(bola.body().get("detail").asString().replace(alice.id().toString(), "X"))
        .isEqualTo(unknown.body().get("detail").asString().replaceAll("[0-9a-f-]{36}", "X"));
    assertThat(call("GET", "/v1/accounts/customers/not-a-uuid", bob.access(), null).status())
        .isEqualTo(400);
    assertThat(audit(alice.id().toString(), "customer.read", "REFUSED")).isEqualTo(1);
    // Alice's limits, KYC and authorisations are just as invisible to Bob.
    assertThat(
            call("GET", "/v1/accounts/customers/" + alice.id() + "/limits", bob.access(), null)
                .status())
        .isEqualTo(404);
    assertThat(
            call(
                    "POST",
                    "/v1/accounts/customers/" + alice.id() + "/kyc",
                    bob.access(),
                    kycBody("L1", "P1234"))
                .status())
        .isEqualTo(404);
  }

  // ---------------------------------------------------------------- KYC

  @Test
  void kycTierLimitsRefuseAPaymentWithAClearProblemUntilTheNextTierIsVerified() throws Exception {
    User carol = newUser();
    String base = "/v1/accounts/customers/" + carol.id();
    Answer overTx = authorize(carol, "20000", "USD");
    assertThat(overTx.status()).isEqualTo(422);
    assertThat(overTx.text("type")).isEqualTo("https://tpwallet.io/problems/kyc-limit-exceeded");
    assertThat(overTx.text("tier")).isEqualTo("L0");
    assertThat(overTx.text("limit")).isEqualTo("per-transaction");
    assertThat(overTx.text("limitMinor")).isEqualTo("10000");
    assertThat(overTx.text("detail")).contains("per-transaction limit of KYC tier L0");
    assertThat(authorize(carol, "10000", "USD").status()).isEqualTo(200); // the boundary itself
    assertThat(authorize(carol, "10000", "USD").status()).isEqualTo(200);
    Answer overDay = authorize(carol, "10001", "USD");
    assertThat(overDay.status()).isEqualTo(422);
    assertThat(authorize(carol, "10000", "USD").status()).isEqualTo(200); // exactly 30000 a day
    Answer full = authorize(carol, "1", "USD");
    assertThat(full.text("limit")).isEqualTo("per-day");
    assertThat(full.text("spentTodayMinor")).isEqualTo("30000");
    assertThat(authorize(carol, "1", "BTC").text("detail"))
        .contains("does not allow payments in BTC");
    assertThat(audit(carol.id().toString(), "kyc.authorize", "REFUSED")).isEqualTo(4);

    // The same payment id twice counts once.
    User dave = newUser();
    String once = UUID.randomUUID().toString();
    for (int i = 0; i < 2; i++) {
      Answer a =
          call(
              "POST",
              "/v1/accounts/customers/" + dave.id() + "/limits/authorizations",
              dave.access(),
              "{\"paymentId\":\"" + once + "\",\"amount\":\"7000\",\"asset\":\"USD\"}");
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.text("spentToday")).isEqualTo("7000");
    }

    Answer rejected = call("POST", base + "/kyc", carol.access(), kycBody("L1", "P123400"));
    assertThat(rejected.status()).isEqualTo(200);
    assertThat(rejected.text("outcome")).isEqualTo("REJECTED");
    assertThat(rejected.text("tierNow")).isEqualTo("L0");
    Answer skip = call("POST", base + "/kyc", carol.access(), kycBody("L2", "P1234"));
    assertThat(skip.status()).isEqualTo(409);
    Answer badKyc = call("POST", base + "/kyc", carol.access(), kycBody("L7", ""));
    assertThat(badKyc.status()).isEqualTo(400);
    assertThat(badKyc.body().get("errors")).hasSize(2);
    Answer approved = call("POST", base + "/kyc", carol.access(), kycBody("L1", "P1234"));
    assertThat(approved.text("outcome")).isEqualTo("APPROVED");
    assertThat(call("GET", base, carol.access(), null).text("kycTier")).isEqualTo("L1");
    assertThat(authorize(carol, "20000", "USD").status()).isEqualTo(200);
    assertThat(audit(carol.id().toString(), "kyc.verify.rejected", "OK")).isEqualTo(1);
    assertThat(audit(carol.id().toString(), "kyc.verify.approved", "OK")).isEqualTo(1);
    assertThat(count("kyc_verification")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void thePerMonthLimitCountsThisUtcMonthOnly() throws Exception {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    // On the 1st the month so far is today, and every day limit is below the month's.
    assumeTrue(today.getDayOfMonth() > 1, "the 1st of a month has no earlier day this month");
    User erin = newUser();
    // Earlier spend, written as the service writes it: last month's does not count, this
    // month's earlier days do.
    spend(erin, today.withDayOfMonth(1).minusDays(1), 90_000);
    for (int i = 0; i < 3; i++) {
      spend(erin, today.minusDays(1), 30_000);
    }
    spend(erin, today.minusDays(1), 5_000);
    // This month so far: 95000 of the L0 1,000.00 a month.
    Answer over = authorize(erin, "5001", "USD");
    assertThat(over.status()).isEqualTo(422);
    assertThat(over.text("limit")).isEqualTo("per-month");
    assertThat(over.text("limitMinor")).isEqualTo("100000");
    assertThat(over.text("spentThisMonthMinor")).isEqualTo("95000");
    assertThat(over.text("spentTodayMinor")).isEqualTo("0");
    assertThat(over.text("detail")).contains("per-month limit of KYC tier L0");
    Answer fits = authorize(erin, "5000", "USD"); // exactly 100000 this month
    assertThat(fits.status()).isEqualTo(200);
    assertThat(fits.text("spentThisMonth")).isEqualTo("100000");
    assertThat(fits.text("perMonth")).isEqualTo("100000");
    Answer full = authorize(erin, "1", "USD");
    assertThat(full.status()).isEqualTo(422);
    assertThat(full.text("limit")).isEqualTo("per-month");
    Answer limits =
        call("GET", "/v1/accounts/customers/" + erin.id() + "/limits", erin.access(), null);
    JsonNode usd = limits.body().get("limits").get("USD");
    assertThat(usd.get("perMonth").asString()).isEqualTo("100000");
    assertThat(usd.get("spentThisMonth").asString()).isEqualTo("100000");
    assertThat(usd.get("spentToday").asString()).isEqualTo("5000");
    assertThat(audit(erin.id().toString(), "kyc.authorize", "REFUSED")).isEqualTo(2);
  }

  void spend(User user, LocalDate day, long minor) {
    jdbc.sql(
            "insert into kyc_spend (id, customer_id, asset, amount_minor, day, created_at)"
                + " values (?, ?, 'USD', ?, ?, now())")
        .params(UUID.randomUUID(), user.id(), minor, day)
        .update();
  }

  // ---------------------------------------------------------------- clients, RBAC, enterprises

  @Test
  void operationsMakeMerchantsAndTheirClientsWhoseTokensCarryOnlyTheirScopes() throws Exception {
    String ops = clientToken(OPS, OPS_SECRET, null).text("access_token");
    Answer merchant = call("POST", "/v1/accounts/merchants", ops, "{\"displayName\":\"Coffee\"}");
    assertThat(merchant.status()).isEqualTo(201);
    String merchantId = merchant.text("id");
    Answer client =
        call(
            "POST",
            "/v1/accounts/merchants/" + merchantId + "/api-clients",
            ops,
            "{\"scopes\":[\"payments:write\",\"payments:read\"]}");
    assertThat(client.status()).isEqualTo(201);
    String clientId = client.text("clientId");
    String secret = client.text("clientSecret");
    assertThat(
            jdbc.sql("select count(*) from api_client where client_id = ? and secret_sha256 = ?")
                .params(clientId, secret.getBytes(StandardCharsets.UTF_8))
                .query(Long.class)
                .single())
        .isZero();

    Answer token = clientToken(clientId, secret, "payments:write");
    assertThat(token.status()).isEqualTo(200);
    assertThat(token.text("scope")).isEqualTo("payments:write");
    JWTClaimsSet claims = SignedJWT.parse(token.text("access_token")).getJWTClaimsSet();
    assertThat(claims.getAudience()).containsExactly("tpwallet-api");
    assertThat(claims.getStringClaim("cid")).isEqualTo(merchantId);
    assertThat(SignedJWT.parse(token.text("access_token")).getHeader().getType().getType())
        .isEqualTo("at+jwt");
    assertThat(clientToken(clientId, secret, "admin:accounts").status()).isEqualTo(400);
    assertThat(clientToken(clientId, "wrong", null).status()).isEqualTo(401);
    assertThat(audit(null, "token.client-credentials", "REFUSED")).isGreaterThanOrEqualTo(2);

    // A merchant's token on an operations route: 403, audited.
    Answer forbidden =
        call(
            "POST",
            "/v1/accounts/merchants",
            token.text("access_token"),
            "{\"displayName\":\"Mine\"}");
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.text("type")).isEqualTo("https://tpwallet.io/problems/forbidden");
    assertThat(
            jdbc.sql(
                    "select count(*) from audit_event where actor = ? and action = 'create'"
                        + " and outcome = 'REFUSED'")
                .param(clientId)
                .query(Long.class)
                .single())
        .isEqualTo(1);
    assertThat(audit(merchantId, "merchant.create", "OK")).isEqualTo(1);

    // An enterprise with a sub-account that has its own, lower limits.
    Answer enterprise = call("POST", "/v1/accounts/enterprises", ops, "{\"displayName\":\"Acme\"}");
    String enterpriseId = enterprise.text("id");
    Answer sub =
        call(
            "POST",
            "/v1/accounts/enterprises/" + enterpriseId + "/sub-accounts",
            ops,
            "{\"displayName\":\"Acme travel\",\"limitAsset\":\"USD\",\"perTransaction\":\"500\","
                + "\"perDay\":\"1000\"}");
    assertThat(sub.status()).isEqualTo(201);
    assertThat(sub.text("parentId")).isEqualTo(enterpriseId);
    Answer badSub =
        call(
            "POST",
            "/v1/accounts/enterprises/" + enterpriseId + "/sub-accounts",
            ops,
            "{\"displayName\":\"x\",\"limitAsset\":\"XXX\",\"perTransaction\":\"-1\",\"perDay\":\"1\"}");
    assertThat(badSub.status()).isEqualTo(400);
    assertThat(badSub.body().get("errors")).hasSize(2);
    Answer entClient =
        call(
            "POST",
            "/v1/accounts/merchants/" + enterpriseId + "/api-clients",
            ops,
            "{\"scopes\":[\"accounts:read\",\"payments:write\"]}");
    String entToken =
        clientToken(entClient.text("clientId"), entClient.text("clientSecret"), null)
            .text("access_token");
    Answer list =
        call("GET", "/v1/accounts/enterprises/" + enterpriseId + "/sub-accounts", entToken, null);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body()).hasSize(1);
    String subId = sub.text("id");
    assertThat(call("GET", "/v1/accounts/customers/" + subId, entToken, null).status())
        .isEqualTo(200);
    Answer subLimit =
        call(
            "POST",
            "/v1/accounts/customers/" + subId + "/limits/authorizations",
            entToken,
            "{\"paymentId\":\""
                + UUID.randomUUID()
                + "\",\"amount\":\"501\","
                + "\"asset\":\"USD\"}");
    assertThat(subLimit.status()).isEqualTo(422);
    assertThat(subLimit.text("limitMinor")).isEqualTo("500");
    User eve = newUser();
    assertThat(call("GET", "/v1/accounts/customers/" + subId, eve.access(), null).status())
        .isEqualTo(404);
  }

  // ---------------------------------------------------------------- tokens

  @Test
  void forgedOrStaleTokensAreRefusedWith401AndAudited() throws Exception {
    User frank = newUser();
    String path = "/v1/accounts/customers/" + frank.id();
    ECKey real = keys.signingKey();
    Instant now = Instant.now();
    Consumer<JWTClaimsSet.Builder> none = c -> {};

    Map<String, String> forged = new java.util.LinkedHashMap<>();
    forged.put("no token", null);
    forged.put("garbage", "abc.def.ghi");
    forged.put("alg none", new PlainJWT(claims(frank, now, none).build()).serialize());
    SignedJWT hs =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256)
                .type(new JOSEObjectType("at+jwt"))
                .keyID(real.getKeyID())
                .build(),
            claims(frank, now, none).build());
    hs.sign(new MACSigner(sha256(real.toPublicJWK().toJSONString())));
    forged.put("HS256 keyed with the public key", hs.serialize());
    forged.put(
        "wrong iss", sign(real, "at+jwt", claims(frank, now, c -> c.issuer("https://evil"))));
    forged.put("wrong aud", sign(real, "at+jwt", claims(frank, now, c -> c.audience("other"))));
    forged.put("typ JWT", sign(real, "JWT", claims(frank, now, none)));
    forged.put(
        "expired",
        sign(
            real,
            "at+jwt",
            claims(
                frank,
                now,
                c ->
                    c.issueTime(Date.from(now.minusSeconds(600)))
                        .notBeforeTime(Date.from(now.minusSeconds(600)))
                        .expirationTime(Date.from(now.minusSeconds(61))))));
    forged.put(
        "not yet valid",
        sign(
            real,
            "at+jwt",
            claims(frank, now, c -> c.notBeforeTime(Date.from(now.plusSeconds(120))))));
    ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID(real.getKeyID()).generate();
    forged.put("same kid, other key", sign(stranger, "at+jwt", claims(frank, now, none)));
    ECKey unknownKid = new ECKeyGenerator(Curve.P_256).keyID("unknown").generate();
    forged.put("unknown kid", sign(unknownKid, "at+jwt", claims(frank, now, none)));

    long refusedBefore =
        jdbc.sql("select count(*) from audit_event where action = 'authenticate'")
            .query(Long.class)
            .single();
    for (var e : forged.entrySet()) {
      Answer a = call("GET", path, e.getValue(), null);
      assertThat(a.status()).as(e.getKey()).isEqualTo(401);
      assertThat(a.text("type"))
          .as(e.getKey())
          .isEqualTo("https://tpwallet.io/problems/unauthorized");
    }
    assertThat(
            jdbc.sql("select count(*) from audit_event where action = 'authenticate'")
                .query(Long.class)
                .single())
        .isEqualTo(refusedBefore + forged.size());
    // Within the 60 s leeway, and the genuine article: accepted.
    assertThat(
            call(
                    "GET",
                    path,
                    sign(
                        real,
                        "at+jwt",
                        claims(
                            frank,
                            now,
                            c ->
                                c.issueTime(Date.from(now.minusSeconds(330)))
                                    .notBeforeTime(Date.from(now.minusSeconds(330)))
                                    .expirationTime(Date.from(now.minusSeconds(30))))),
                    null)
                .status())
        .isEqualTo(200);
    assertThat(call("GET", path, frank.access(), null).status()).isEqualTo(200);
  }

  @Test
  void keyRotationKeepsTheOldKeyServedUntilItsTokensExpire() throws Exception {
    User gina = newUser();
    String oldKid = SignedJWT.parse(gina.access()).getHeader().getKeyID();
    String ops = clientToken(OPS, OPS_SECRET, null).text("access_token");
    Answer rotated = call("POST", "/v1/accounts/admin/signing-keys/rotate", ops, null);
    assertThat(rotated.status()).isEqualTo(200);
    String newKid = rotated.text("kid");
    assertThat(newKid).isNotEqualTo(oldKid);
    JsonNode jwks = call("GET", "/.well-known/jwks.json", null, null).body();
    List<String> kids = jwks.get("keys").valueStream().map(k -> k.get("kid").asString()).toList();
    assertThat(kids).contains(oldKid, newKid);
    assertThat(jwks.toString()).doesNotContain("\"d\"");
    assertThat(call("GET", "/v1/accounts/customers/" + gina.id(), gina.access(), null).status())
        .isEqualTo(200);
    User hank = newUser();
    assertThat(SignedJWT.parse(hank.access()).getHeader().getKeyID()).isEqualTo(newKid);
    assertThat(
            jdbc.sql("select retire_after from signing_key where kid = ?")
                .param(oldKid)
                .query(java.sql.Timestamp.class)
                .single()
                .toInstant())
        .isAfter(Instant.now().plusSeconds(5 * 60));
    assertThat(audit(newKid, "signing-key.rotate", "OK")).isEqualTo(1);
    User user = newUser();
    assertThat(call("POST", "/v1/accounts/admin/signing-keys/rotate", user.access(), null).status())
        .isEqualTo(403);
  }

  // ---------------------------------------------------------------- devices and sessions

  @Test
  void refreshNeedsTheDevicesProofRotatesAndStopsOnRevocation() throws Exception {
    User ivy = newUser();
    Answer noProof =
        call(
            "POST",
            "/v1/accounts/sessions/refresh",
            null,
            "{\"refreshToken\":\"" + ivy.refresh() + "\",\"proof\":\"x.y.z\"}");
    assertThat(noProof.status()).isEqualTo(401);
    ECKey thief = new ECKeyGenerator(Curve.P_256).generate();
    assertThat(refresh(ivy.refresh(), thief).status()).isEqualTo(401);

    Answer fresh = refresh(ivy.refresh(), ivy.device());
    assertThat(fresh.status()).isEqualTo(200);
    assertThat(fresh.text("refreshToken")).isNotEqualTo(ivy.refresh());
    assertThat(refresh(ivy.refresh(), ivy.device()).status()).isEqualTo(401); // used up

    Answer wrongPassword =
        call(
            "POST",
            "/v1/accounts/sessions",
            null,
            "{\"email\":\""
                + ivy.email()
                + "\",\"password\":\"not-the-password\",\"deviceId\":\""
                + UUID.randomUUID()
                + "\"}");
    assertThat(wrongPassword.status()).isEqualTo(401);
    assertThat(audit(null, "session.login", "REFUSED")).isGreaterThanOrEqualTo(1);

    Answer sessions = call("GET", "/v1/accounts/sessions", ivy.access(), null);
    assertThat(sessions.body()).hasSize(1);
    String deviceId =
        call("GET", "/v1/accounts/devices", ivy.access(), null).body().get(0).get("id").asString();
    User jack = newUser();
    assertThat(
            call("DELETE", "/v1/accounts/sessions/" + ivy.session(), jack.access(), null).status())
        .isEqualTo(404);
    assertThat(
            call("DELETE", "/v1/accounts/sessions/" + ivy.session(), ivy.access(), null).status())
        .isEqualTo(204);
    assertThat(refresh(fresh.text("refreshToken"), ivy.device()).status()).isEqualTo(401);
    // The revoked session's access tokens are refused here at once, not when they expire.
    String ivyPath = "/v1/accounts/customers/" + ivy.id();
    assertThat(call("GET", ivyPath, ivy.access(), null).status()).isEqualTo(401);
    assertThat(call("GET", ivyPath, fresh.text("accessToken"), null).status()).isEqualTo(401);

    // A second login on the same device, then the device is revoked: its sessions end.
    String login =
        "{\"email\":\""
            + ivy.email()
            + "\",\"password\":\"correct horse battery\",\"deviceId\":\"%s\"}";
    assertThat(call("POST", "/v1/accounts/sessions", null, login.formatted("not-a-uuid")).status())
        .isEqualTo(400);
    Answer second = call("POST", "/v1/accounts/sessions", null, login.formatted(deviceId));
    assertThat(second.status()).isEqualTo(201);
    String secondAccess = second.text("accessToken");
    assertThat(call("GET", ivyPath, secondAccess, null).status()).isEqualTo(200);
    assertThat(call("DELETE", "/v1/accounts/devices/" + deviceId, jack.access(), null).status())
        .isEqualTo(404);
    assertThat(call("DELETE", "/v1/accounts/devices/" + deviceId, secondAccess, null).status())
        .isEqualTo(204);
    assertThat(refresh(second.text("refreshToken"), ivy.device()).status()).isEqualTo(401);
    assertThat(call("GET", ivyPath, secondAccess, null).status()).isEqualTo(401);
    assertThat(call("POST", "/v1/accounts/sessions", null, login.formatted(deviceId)).status())
        .isEqualTo(404);

    // A risk signal ends every session of the customer.
    String ops = clientToken(OPS, OPS_SECRET, null).text("access_token");
    Answer risk =
        call(
            "POST",
            "/v1/accounts/admin/customers/" + jack.id() + "/risk-signals",
            ops,
            "{\"reason\":\"account takeover suspected\"}");
    assertThat(risk.body().get("revoked").asInt()).isEqualTo(1);
    assertThat(refresh(jack.refresh(), jack.device()).status()).isEqualTo(401);
    assertThat(call("GET", "/v1/accounts/customers/" + jack.id(), jack.access(), null).status())
        .isEqualTo(401);
    assertThat(audit(jack.id().toString(), "session.revoke-all", "OK")).isEqualTo(1);
  }

  @Test
  void theAuditLogIsAppendOnly() {
    jdbc.sql("insert into audit_event (at, actor, action, outcome) values (now(), 't', 't', 'OK')")
        .update();
    assertThatThrownBy(() -> jdbc.sql("update audit_event set actor = 'x'").update())
        .rootCause()
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> jdbc.sql("delete from audit_event").update())
        .rootCause()
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> jdbc.sql("truncate audit_event").update())
        .rootCause()
        .hasMessageContaining("append-only");
  }

  // ---------------------------------------------------------------- approvals

  @Test
  void enterprisePaymentsAboveThePolicyNeedMofNApprovalsAndTheOutcomeIsSigned() throws Exception {
    String ops = clientToken(OPS, OPS_SECRET, null).text("access_token");
    String enterpriseId =
        call("POST", "/v1/accounts/enterprises", ops, "{\"displayName\":\"Globex\"}").text("id");
    User a1 = newUser();
    User a2 = newUser();
    User outsider = newUser();
    String base = "/v1/accounts/enterprises/" + enterpriseId;
    for (User a : List.of(a1, a2)) {
      assertThat(
              call("POST", base + "/approvers", ops, "{\"customerId\":\"" + a.id() + "\"}")
                  .status())
          .isEqualTo(204);
    }
    assertThat(
            call("POST", base + "/approvers", ops, "{\"customerId\":\"" + a1.id() + "\"}").status())
        .isEqualTo(409);
    String policy =
        "{\"asset\":\"USD\",\"threshold\":\"10000\",\"required\":%d,"
            + "\"allowlist\":[\"acct:payroll\"]}";
    assertThat(call("PUT", base + "/approval-policy", ops, policy.formatted(3)).status())
        .isEqualTo(422);
    assertThat(call("PUT", base + "/approval-policy", a1.access(), policy.formatted(2)).status())
        .isEqualTo(403);
    assertThat(call("PUT", base + "/approval-policy", ops, policy.formatted(2)).text("required"))
        .isEqualTo("2");

    Answer client =
        call(
            "POST",
            "/v1/accounts/merchants/" + enterpriseId + "/api-clients",
            ops,
            "{\"scopes\":[\"payments:write\",\"accounts:read\"]}");
    String globex =
        clientToken(client.text("clientId"), client.text("clientSecret"), null)
            .text("access_token");
    String small =
        "{\"paymentId\":\"%s\",\"amount\":\"%s\",\"asset\":\"USD\"," + "\"destination\":\"%s\"}";
    Answer free =
        call(
            "POST",
            base + "/approvals",
            globex,
            small.formatted(UUID.randomUUID(), "5000", "acct:payroll"));
    assertThat(free.text("status")).isEqualTo("NOT_REQUIRED");
    assertThat(verifiedAttestation(free.text("attestation")).getStringClaim("status"))
        .isEqualTo("NOT_REQUIRED");
    assertThat(
            call(
                    "POST",
                    base + "/approvals",
                    globex,
                    small.formatted(UUID.randomUUID(), "5000", "acct:elsewhere"))
                .text("status"))
        .isEqualTo("PENDING");

    String paymentId = UUID.randomUUID().toString();
    Answer pending =
        call(
            "POST",
            base + "/approvals",
            globex,
            small.formatted(paymentId, "50000", "acct:payroll"));
    assertThat(pending.status()).isEqualTo(201);
    assertThat(pending.text("status")).isEqualTo("PENDING");
    assertThat(pending.body().get("attestation").isNull()).isTrue();
    String id = pending.text("id");
    assertThat(
            call(
                    "POST",
                    base + "/approvals",
                    globex,
                    small.formatted(paymentId, "50000", "acct:payroll"))
                .text("id"))
        .isEqualTo(id);
    assertThat(
            call(
                    "POST",
                    base + "/approvals",
                    globex,
                    small.formatted(paymentId, "50001", "acct:payroll"))
                .status())
        .isEqualTo(422);
    assertThat(
            call(
                    "POST",
                    base + "/approvals",
                    outsider.access(),
                    small.formatted(UUID.randomUUID(), "1", "x"))
                .status())
        .isEqualTo(404);

    String approvals = "/v1/accounts/approvals/" + id;
    assertThat(call("POST", approvals + "/approve", outsider.access(), null).status())
        .isEqualTo(404);
    assertThat(call("GET", approvals, outsider.access(), null).status()).isEqualTo(404);
    assertThat(audit(id, "approval.vote", "REFUSED")).isEqualTo(1);
    Answer one = call("POST", approvals + "/approve", a1.access(), null);
    assertThat(one.text("status")).isEqualTo("PENDING");
    assertThat(one.body().get("votes")).hasSize(1);
    assertThat(call("POST", approvals + "/approve", a1.access(), null).status()).isEqualTo(409);
    Answer two = call("POST", approvals + "/approve", a2.access(), null);
    assertThat(two.text("status")).isEqualTo("APPROVED");
    JWTClaimsSet signed = verifiedAttestation(two.text("attestation"));
    assertThat(signed.getStringClaim("payment_id")).isEqualTo(paymentId);
    assertThat(signed.getStringClaim("amount")).isEqualTo("50000");
    assertThat(signed.getStringListClaim("approvers"))
        .containsExactlyInAnyOrder(a1.id().toString(), a2.id().toString());
    assertThat(call("POST", approvals + "/reject", a2.access(), null).status()).isEqualTo(409);
    assertThat(call("GET", approvals, globex, null).text("status")).isEqualTo("APPROVED");
    assertThat(audit(id, "approval.approve", "OK")).isEqualTo(2);

    Answer other =
        call(
            "POST",
            base + "/approvals",
            globex,
            small.formatted(UUID.randomUUID(), "50000", "acct:payroll"));
    Answer rejected =
        call("POST", "/v1/accounts/approvals/" + other.text("id") + "/reject", a2.access(), null);
    assertThat(rejected.text("status")).isEqualTo("REJECTED");
    assertThat(rejected.body().get("attestation").isNull()).isTrue();
  }

  /** What a signer node does: check the signature against the JWKS, the type and audience. */
  JWTClaimsSet verifiedAttestation(String attestation) throws Exception {
    SignedJWT jwt = SignedJWT.parse(attestation);
    assertThat(jwt.getHeader().getType().getType()).isEqualTo("approval+jwt");
    var jwks =
        com.nimbusds.jose.jwk.JWKSet.parse(
            call("GET", "/.well-known/jwks.json", null, null).raw().body());
    ECKey key = (ECKey) jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
    assertThat(jwt.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(key))).isTrue();
    assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly("tpw-signer");
    return jwt.getJWTClaimsSet();
  }

  // ---------------------------------------------------------------- helpers

  static JWTClaimsSet.Builder claims(User user, Instant now, Consumer<JWTClaimsSet.Builder> edit) {
    var builder =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience("tpwallet-api")
            .subject(user.id().toString())
            .claim("cid", user.id().toString())
            .claim("scope", "accounts:read")
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)));
    edit.accept(builder);
    return builder;
  }

  static String sign(ECKey key, String typ, JWTClaimsSet.Builder claims) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(new JOSEObjectType(typ))
                .keyID(key.getKeyID())
                .build(),
            claims.build());
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  static byte[] sha256(String s) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
  }
}
