package io.tpwallet.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.tpwallet.testkit.Infrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Social recovery over HTTP: each transition of REQUESTED → APPROVED → (delay) → COMPLETED or
 * CANCELLED, each refusal (too early, not a guardian, double approval, wrong state or token), and
 * the notices the owner and the guardians get. The delay is 2 s here (48 h by default).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"tpw.outbox.relay-enabled=false", "tpw.account.recovery.delay=2s"})
class RecoveryIT extends AccountServiceSupport {

  static final String NEW_PASSWORD = "a brand new passphrase";

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    Infrastructure.register(registry, "recovery");
  }

  @Test
  void guardiansApproveAndAfterTheDelayTheRequesterResetsTheLogin() throws Exception {
    User alice = newUser();
    List<User> guardians = List.of(newUser(), newUser(), newUser());
    for (User g : guardians) {
      assertThat(addGuardian(alice, g).status()).isEqualTo(201);
    }
    assertThat(addGuardian(alice, guardians.get(0)).status()).isEqualTo(409);
    Answer policy = setPolicy(alice, 2);
    assertThat(policy.status()).isEqualTo(200);
    assertThat(policy.body().get("guardians")).hasSize(3);

    Answer requested = request(alice.email());
    assertThat(requested.status()).as(requested.body().toString()).isEqualTo(201);
    assertThat(requested.text("status")).isEqualTo("REQUESTED");
    assertThat(requested.body().get("required").asInt()).isEqualTo(2);
    String id = requested.text("id");
    String token = requested.text("recoveryToken");
    assertThat(request(alice.email()).status()).isEqualTo(409); // one open recovery at a time
    assertThat(complete(id, token).text("type")).endsWith("/recovery-state"); // not approved

    assertThat(approve(id, guardians.get(0)).text("status")).isEqualTo("REQUESTED");
    Answer twice = approve(id, guardians.get(0));
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.text("type")).endsWith("/recovery-state");
    User mallory = newUser();
    assertThat(approve(id, mallory).status()).isEqualTo(404);
    assertThat(audit(id, "recovery.approve", "REFUSED")).isEqualTo(2);

    Instant beforeApproval = Instant.now();
    Answer approved = approve(id, guardians.get(1));
    assertThat(approved.text("status")).isEqualTo("APPROVED");
    Instant after = Instant.parse(approved.text("completesAfter"));
    assertThat(after).isAfterOrEqualTo(beforeApproval.plusSeconds(2).minusMillis(500));
    assertThat(approve(id, guardians.get(2)).status()).isEqualTo(409); // decided already

    Answer early = complete(id, token);
    assertThat(early.status()).isEqualTo(409);
    assertThat(early.text("type")).isEqualTo("https://tpwallet.io/problems/recovery-too-early");
    assertThat(early.text("completesAfter")).isEqualTo(after.toString());
    assertThat(complete(id, "not-the-token").status()).isEqualTo(401);
    assertThat(login(alice.email(), NEW_PASSWORD)).isEqualTo(401); // nothing changed yet

    Thread.sleep(Math.max(0, Duration.between(Instant.now(), after).toMillis()) + 200);
    Answer completed = complete(id, token);
    assertThat(completed.status()).as(completed.body().toString()).isEqualTo(200);
    assertThat(completed.text("status")).isEqualTo("COMPLETED");
    assertThat(complete(id, token).status()).isEqualTo(409);

    assertThat(login(alice.email(), NEW_PASSWORD)).isEqualTo(201);
    assertThat(login(alice.email(), "correct horse battery")).isEqualTo(401);
    // Every old session ended: alice's old token no longer opens account-service.
    assertThat(call("GET", "/v1/accounts/customers/" + alice.id(), alice.access(), null).status())
        .isEqualTo(401);
    assertThat(
            jdbc.sql("select count(*) from device where customer_id = ? and revoked_at is null")
                .param(alice.id())
                .query(Long.class)
                .single())
        .isEqualTo(1); // only the device of the login after the recovery

    assertThat(kinds(guardians.get(2)))
        .containsExactly(
            "recovery.completed", "recovery.approval-asked", "recovery.guardian-added");
    assertThat(audit(id, "recovery.complete", "OK")).isEqualTo(1);
  }

  @Test
  void theOwnerCancelsARecoveryItDidNotAskForAndItGoesNoFurther() throws Exception {
    User bob = newUser();
    User guardian = newUser();
    addGuardian(bob, guardian);
    setPolicy(bob, 1);
    Answer requested = request(bob.email());
    String id = requested.text("id");
    assertThat(kinds(bob)).containsExactly("recovery.requested");

    assertThat(
            call("POST", "/v1/accounts/recoveries/" + id + "/cancel", guardian.access(), null)
                .status())
        .isEqualTo(404);
    Answer cancelled =
        call("POST", "/v1/accounts/recoveries/" + id + "/cancel", bob.access(), null);
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.text("status")).isEqualTo("CANCELLED");
    assertThat(approve(id, guardian).status()).isEqualTo(409);
    assertThat(complete(id, requested.text("recoveryToken")).status()).isEqualTo(409);
    assertThat(
            call("POST", "/v1/accounts/recoveries/" + id + "/cancel", bob.access(), null).status())
        .isEqualTo(409);
    assertThat(kinds(guardian)).first().isEqualTo("recovery.cancelled");

    // Cancelled after approval too, within the delay.
    String second = request(bob.email()).text("id");
    assertThat(approve(second, guardian).text("status")).isEqualTo("APPROVED");
    assertThat(
            call("POST", "/v1/accounts/recoveries/" + second + "/cancel", bob.access(), null)
                .text("status"))
        .isEqualTo("CANCELLED");
    assertThat(login(bob.email(), "correct horse battery")).isEqualTo(201);
  }

  @Test
  void aRecoveryNeedsGuardiansAReachablePolicyAndValidInput() throws Exception {
    User carol = newUser();
    assertThat(request(carol.email()).text("type")).endsWith("/recovery-not-set-up");
    assertThat(setPolicy(carol, 1).text("type")).endsWith("/recovery-policy-unreachable");
    assertThat(addGuardian(carol, carol).status()).isEqualTo(422);
    User dave = newUser();
    assertThat(addGuardian(dave, carol).status()).isEqualTo(201);
    // Only the owner names its guardians.
    assertThat(
            call(
                    "POST",
                    "/v1/accounts/customers/" + carol.id() + "/guardians",
                    dave.access(),
                    "{\"guardianId\":\"" + dave.id() + "\"}")
                .status())
        .isEqualTo(404);
    Answer bad =
        call(
            "POST", "/v1/accounts/recoveries", null, "{\"email\":\"x\",\"newPassword\":\"short\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().get("errors")).hasSize(2);
    assertThat(
            jdbc.sql("select count(*) from recovery_request where customer_id in (?, ?)")
                .params(carol.id(), dave.id())
                .query(Long.class)
                .single())
        .isZero();
  }

  Answer addGuardian(User owner, User guardian) throws Exception {
    return call(
        "POST",
        "/v1/accounts/customers/" + owner.id() + "/guardians",
        owner.access(),
        "{\"guardianId\":\"" + guardian.id() + "\"}");
  }

  Answer setPolicy(User owner, int required) throws Exception {
    return call(
        "PUT",
        "/v1/accounts/customers/" + owner.id() + "/recovery-policy",
        owner.access(),
        "{\"required\":" + required + "}");
  }

  Answer request(String email) throws Exception {
    return call(
        "POST",
        "/v1/accounts/recoveries",
        null,
        "{\"email\":\"" + email + "\",\"newPassword\":\"" + NEW_PASSWORD + "\"}");
  }

  Answer approve(String id, User guardian) throws Exception {
    return call("POST", "/v1/accounts/recoveries/" + id + "/approve", guardian.access(), null);
  }

  Answer complete(String id, String token) throws Exception {
    return call(
        "POST",
        "/v1/accounts/recoveries/" + id + "/complete",
        null,
        "{\"recoveryToken\":\"" + token + "\"}");
  }

  int login(String email, String password) throws Exception {
    return call(
            "POST",
            "/v1/accounts/sessions",
            null,
            "{\"email\":\""
                + email
                + "\",\"password\":\""
                + password
                + "\",\"deviceName\":\"new phone\",\"devicePublicJwk\":"
                + new ECKeyGenerator(Curve.P_256).generate().toPublicJWK().toJSONString()
                + "}")
        .status();
  }

  List<String> kinds(User user) throws Exception {
    JsonNode list = call("GET", "/v1/accounts/notifications", user.access(), null).body();
    return list.findValuesAsString("kind");
  }
}
