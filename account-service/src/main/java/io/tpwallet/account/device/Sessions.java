package io.tpwallet.account.device;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.SignedJWT;
import io.tpwallet.account.access.Access;
import io.tpwallet.account.access.Caller;
import io.tpwallet.account.access.FieldErrors;
import io.tpwallet.account.access.Scopes;
import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.account.customer.Customers;
import io.tpwallet.account.keys.TokenProperties;
import io.tpwallet.account.token.TokenIssuer;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * User login and device-bound refresh tokens. A login names a device (its ES256 public key, sent as
 * a JWK on first use); the session's refresh token works only with a proof signed by that device's
 * private key, so a refresh token copied off the device is useless. Each refresh rotates the
 * refresh token. Revoking a device or a session ends its refreshes; access tokens already issued
 * lapse within their short lifetime.
 */
@Service
public class Sessions implements io.tpwallet.account.access.RevokedSessions {

  public static final URI INVALID_CREDENTIALS = ProblemTypes.of("invalid-credentials");
  public static final URI INVALID_GRANT = ProblemTypes.of("invalid-grant");
  public static final String APP_CLIENT_ID = "tpw-app";
  public static final int DEVICES_PER_CUSTOMER_MAX = 20;
  public static final int LIST_MAX = 100;

  /** How old a refresh proof may be. */
  public static final Duration PROOF_AGE_MAX = Duration.ofSeconds(60);

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final Customers customers;
  private final TokenIssuer issuer;
  private final TokenProperties properties;
  private final Access access;
  private final AuditLog audit;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  Sessions(
      JdbcClient jdbc,
      TransactionTemplate tx,
      Customers customers,
      TokenIssuer issuer,
      TokenProperties properties,
      Access access,
      AuditLog audit,
      Clock clock) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.customers = customers;
    this.issuer = issuer;
    this.properties = properties;
    this.access = access;
    this.audit = audit;
    this.clock = clock;
  }

  /** Login body: a known device by id, or a new device with its public key. */
  public record LoginRequest(
      @Nullable String email,
      @Nullable String password,
      @Nullable String deviceId,
      @Nullable String deviceName,
      @Nullable Map<String, Object> devicePublicJwk) {}

  public record RefreshRequest(@Nullable String refreshToken, @Nullable String proof) {}

  /** What a login or refresh answers. */
  public record Tokens(
      UUID sessionId,
      UUID deviceId,
      String accessToken,
      String tokenType,
      long expiresIn,
      String refreshToken,
      String scope) {}

  public record Device(UUID id, String name, Instant createdAt, @Nullable Instant revokedAt) {}

  public record Session(
      UUID id,
      UUID deviceId,
      Instant createdAt,
      Instant lastRefreshedAt,
      Instant expiresAt,
      @Nullable Instant revokedAt,
      @Nullable String revokedReason) {}

  public Tokens login(LoginRequest body) {
    var errors = new FieldErrors();
    String email = errors.email("email", body.email());
    String password = errors.text("password", body.password(), Customers.PASSWORD_LENGTH_MAX);
    UUID deviceId = null;
    ECKey newKey = null;
    String deviceName = null;
    if (body.deviceId() != null) {
      try {
        deviceId = UUID.fromString(body.deviceId());
      } catch (IllegalArgumentException e) {
        errors.add("deviceId", "must be a UUID");
      }
    } else {
      deviceName = errors.text("deviceName", body.deviceName(), 100);
      newKey = publicKey(body.devicePublicJwk(), errors);
    }
    errors.throwIfAny("Invalid login");
    var customer = customers.authenticate(email, password);
    if (customer.isEmpty()) {
      audit.refused(email, "session.login", null, "wrong e-mail or password");
      throw new ProblemException(
          HttpStatus.UNAUTHORIZED,
          INVALID_CREDENTIALS,
          "Login failed",
          "The e-mail or the password is wrong.");
    }
    UUID customerId = customer.get();
    UUID known = deviceId;
    ECKey key = newKey;
    String name = deviceName;
    return tx.execute(
        status -> {
          UUID device;
          Instant now = clock.instant();
          if (known != null) {
            boolean usable =
                jdbc.sql(
                            "select count(*) from device where id = ? and customer_id = ?"
                                + " and revoked_at is null")
                        .params(known, customerId)
                        .query(Long.class)
                        .single()
                    == 1;
            if (!usable) {
              audit.refused(
                  customerId.toString(),
                  "session.login",
                  known.toString(),
                  "unknown or revoked device");
              throw ProblemException.notFound("No usable device " + known + " for this customer.");
            }
            device = known;
          } else {
            long count =
                jdbc.sql(
                        "select count(*) from device where customer_id = ? and revoked_at"
                            + " is null")
                    .param(customerId)
                    .query(Long.class)
                    .single();
            if (count >= DEVICES_PER_CUSTOMER_MAX) {
              throw new ProblemException(
                  HttpStatus.CONFLICT,
                  ProblemTypes.CONFLICT,
                  "Too many devices",
                  "A customer has at most "
                      + DEVICES_PER_CUSTOMER_MAX
                      + " devices; revoke one first.");
            }
            device = Ids.newId();
            jdbc.sql(
                    "insert into device (id, customer_id, name, public_jwk, created_at) values (?, ?,"
                        + " ?, ?, ?)")
                .params(device, customerId, name, key.toJSONString(), Timestamp.from(now))
                .update();
            audit.done(customerId.toString(), "device.register", device.toString(), name);
          }
          UUID session = Ids.newId();
          String refresh = randomToken();
          jdbc.sql(
                  "insert into session (id, customer_id, device_id, refresh_sha256, created_at,"
                      + " last_refreshed_at, expires_at) values (?, ?, ?, ?, ?, ?, ?)")
              .params(
                  session,
                  customerId,
                  device,
                  sha256(refresh),
                  Timestamp.from(now),
                  Timestamp.from(now),
                  Timestamp.from(now.plus(properties.refreshTokenTtl())))
              .update();
          audit.done(
              customerId.toString(), "session.login", session.toString(), "device " + device);
          return tokens(customerId, session, device, refresh);
        });
  }

  /**
   * A new access token and a new refresh token, for a refresh token presented with a proof: a
   * compact ES256 JWS by the device's key whose claims carry {@code rth} (base64url SHA-256 of the
   * refresh token) and an {@code iat} no older than a minute.
   */
  public Tokens refresh(RefreshRequest body) {
    var errors = new FieldErrors();
    String refresh = errors.text("refreshToken", body.refreshToken(), 200);
    String proof = errors.text("proof", body.proof(), 4096);
    errors.throwIfAny("Invalid refresh");
    byte[] hash = sha256(refresh);
    return tx.execute(
        status -> {
          Instant now = clock.instant();
          var row =
              jdbc.sql(
                      "select s.id, s.customer_id, s.device_id, d.public_jwk from session s join"
                          + " device d on d.id = s.device_id where s.refresh_sha256 = ? and s.revoked_at is null"
                          + " and d.revoked_at is null and s.expires_at > ? for update of s")
                  .params(hash, Timestamp.from(now))
                  .query(
                      (rs, i) ->
                          new Object[] {
                            rs.getObject(1, UUID.class),
                            rs.getObject(2, UUID.class),
                            rs.getObject(3, UUID.class),
                            rs.getString(4)
                          })
                  .optional();
          if (row.isEmpty()) {
            throw refused(null, "unknown, used, expired or revoked refresh token");
          }
          UUID session = (UUID) row.get()[0];
          UUID customer = (UUID) row.get()[1];
          UUID device = (UUID) row.get()[2];
          if (!proofHolds(proof, (String) row.get()[3], hash, now)) {
            throw refused(customer, "device proof missing, stale or not signed by the device");
          }
          String next = randomToken();
          jdbc.sql(
                  "update session set refresh_sha256 = ?, last_refreshed_at = ?, expires_at = ?"
                      + " where id = ?")
              .params(
                  sha256(next),
                  Timestamp.from(now),
                  Timestamp.from(now.plus(properties.refreshTokenTtl())),
                  session)
              .update();
          return tokens(customer, session, device, next);
        });
  }

  @Override
  public boolean isRevoked(UUID sessionId) {
    return jdbc.sql("select count(*) from session where id = ? and revoked_at is null")
            .param(sessionId)
            .query(Long.class)
            .single()
        == 0;
  }

  public List<Device> devices() {
    Caller caller = access.require(Scopes.ACCOUNTS_READ, "device.list");
    return jdbc.sql(
            "select id, name, created_at, revoked_at from device where customer_id = ?"
                + " order by created_at limit ?")
        .params(own(caller), LIST_MAX)
        .query(
            (rs, i) ->
                new Device(
                    rs.getObject(1, UUID.class),
                    rs.getString(2),
                    rs.getTimestamp(3).toInstant(),
                    instant(rs.getTimestamp(4))))
        .list();
  }

  public List<Session> sessions() {
    Caller caller = access.require(Scopes.ACCOUNTS_READ, "session.list");
    return jdbc.sql(
            "select id, device_id, created_at, last_refreshed_at, expires_at, revoked_at,"
                + " revoked_reason from session where customer_id = ? order by created_at desc limit ?")
        .params(own(caller), LIST_MAX)
        .query(
            (rs, i) ->
                new Session(
                    rs.getObject(1, UUID.class),
                    rs.getObject(2, UUID.class),
                    rs.getTimestamp(3).toInstant(),
                    rs.getTimestamp(4).toInstant(),
                    rs.getTimestamp(5).toInstant(),
                    instant(rs.getTimestamp(6)),
                    rs.getString(7)))
        .list();
  }

  /** Revokes a device and every session on it; another customer's device answers 404. */
  public void revokeDevice(UUID deviceId) {
    Caller caller = access.require(Scopes.ACCOUNTS_WRITE, "device.revoke");
    UUID customer = own(caller);
    tx.executeWithoutResult(
        status -> {
          Timestamp now = Timestamp.from(clock.instant());
          int n =
              jdbc.sql(
                      "update device set revoked_at = coalesce(revoked_at, ?) where id = ? and"
                          + " customer_id = ?")
                  .params(now, deviceId, customer)
                  .update();
          if (n == 0) {
            audit.refused(caller.subject(), "device.revoke", deviceId.toString(), "not the owner");
            throw ProblemException.notFound("No device " + deviceId + ".");
          }
          jdbc.sql(
                  "update session set revoked_at = ?, revoked_reason = 'device revoked' where"
                      + " device_id = ? and revoked_at is null")
              .params(now, deviceId)
              .update();
          audit.done(caller.subject(), "device.revoke", deviceId.toString(), null);
        });
  }

  /** Revokes one session; another customer's session answers 404. */
  public void revokeSession(UUID sessionId) {
    Caller caller = access.require(Scopes.ACCOUNTS_WRITE, "session.revoke");
    UUID customer = own(caller);
    tx.executeWithoutResult(
        status -> {
          int n =
              jdbc.sql(
                      "update session set revoked_at = coalesce(revoked_at, ?), revoked_reason ="
                          + " coalesce(revoked_reason, 'revoked by the customer') where id = ? and customer_id = ?")
                  .params(Timestamp.from(clock.instant()), sessionId, customer)
                  .update();
          if (n == 0) {
            audit.refused(
                caller.subject(), "session.revoke", sessionId.toString(), "not the owner");
            throw ProblemException.notFound("No session " + sessionId + ".");
          }
          audit.done(caller.subject(), "session.revoke", sessionId.toString(), null);
        });
  }

  /** Revokes every session of the caller ("log out everywhere"). */
  public int revokeAll() {
    Caller caller = access.require(Scopes.ACCOUNTS_WRITE, "session.revoke-all");
    return revokeAllOf(own(caller), caller.subject(), "revoked by the customer");
  }

  /**
   * A risk signal about a customer (operations or the risk engine, {@code admin:accounts}): every
   * session ends at once.
   */
  public int riskSignal(UUID customerId, @Nullable String reason) {
    Caller caller = access.require(Scopes.ADMIN_ACCOUNTS, "session.risk-revoke");
    customers
        .find(customerId)
        .orElseThrow(() -> ProblemException.notFound("No customer " + customerId + "."));
    String why =
        "risk signal"
            + (reason == null ? "" : ": " + reason.substring(0, Math.min(reason.length(), 200)));
    return revokeAllOf(customerId, caller.subject(), why);
  }

  /**
   * Ends every session and revokes every device of a customer (a recovered login), in the caller's
   * transaction: the old devices can neither refresh nor use their access tokens here.
   */
  public void endEverything(UUID customer, String actor, String reason) {
    jdbc.sql("update device set revoked_at = ? where customer_id = ? and revoked_at is null")
        .params(Timestamp.from(clock.instant()), customer)
        .update();
    revokeAllOf(customer, actor, reason);
  }

  private int revokeAllOf(UUID customer, String actor, String reason) {
    return tx.execute(
        status -> {
          int n =
              jdbc.sql(
                      "update session set revoked_at = ?, revoked_reason = ? where customer_id = ?"
                          + " and revoked_at is null")
                  .params(Timestamp.from(clock.instant()), reason, customer)
                  .update();
          audit.done(
              actor, "session.revoke-all", customer.toString(), n + " session(s): " + reason);
          return n;
        });
  }

  private UUID own(Caller caller) {
    if (caller.customerId() == null || caller.sessionId() == null) {
      audit.refused(caller.subject(), "session.own", null, "not a user token");
      throw new ProblemException(
          HttpStatus.FORBIDDEN,
          Access.FORBIDDEN,
          "Forbidden",
          "Devices and sessions belong to a logged-in user; this token is a client's.");
    }
    return caller.customerId();
  }

  private Tokens tokens(UUID customer, UUID session, UUID device, String refresh) {
    var token =
        issuer.issue(
            customer.toString(),
            APP_CLIENT_ID,
            customer,
            session,
            new java.util.LinkedHashSet<>(Scopes.CUSTOMER));
    return new Tokens(
        session, device, token.value(), "Bearer", token.expiresInSeconds(), refresh, token.scope());
  }

  private ProblemException refused(@Nullable UUID customer, String why) {
    audit.refused(
        customer == null ? "anonymous" : customer.toString(), "session.refresh", null, why);
    return new ProblemException(
        HttpStatus.UNAUTHORIZED,
        INVALID_GRANT,
        "Refresh refused",
        "The refresh token or its device proof is not valid.",
        Map.of("error", "invalid_grant"));
  }

  private boolean proofHolds(String proof, String deviceJwk, byte[] refreshHash, Instant now) {
    try {
      SignedJWT jws = SignedJWT.parse(proof);
      if (!JWSAlgorithm.ES256.equals(jws.getHeader().getAlgorithm())) {
        return false;
      }
      if (!jws.verify(new ECDSAVerifier(ECKey.parse(deviceJwk)))) {
        return false;
      }
      var claims = jws.getJWTClaimsSet();
      String rth = claims.getStringClaim("rth");
      var iat = claims.getIssueTime();
      if (rth == null || iat == null) {
        return false;
      }
      Duration age = Duration.between(iat.toInstant(), now);
      return MessageDigest.isEqual(
              rth.getBytes(StandardCharsets.US_ASCII),
              Base64.getUrlEncoder()
                  .withoutPadding()
                  .encodeToString(refreshHash)
                  .getBytes(StandardCharsets.US_ASCII))
          && age.compareTo(PROOF_AGE_MAX) <= 0
          && age.compareTo(properties.clockSkew().negated()) >= 0;
    } catch (ParseException | JOSEException | ClassCastException e) {
      return false;
    }
  }

  private static @Nullable ECKey publicKey(@Nullable Map<String, Object> jwk, FieldErrors errors) {
    if (jwk == null) {
      errors.add("devicePublicJwk", "is required for a new device");
      return null;
    }
    try {
      ECKey key = ECKey.parse(jwk);
      if (key.isPrivate() || !Curve.P_256.equals(key.getCurve())) {
        errors.add("devicePublicJwk", "must be a public EC P-256 JWK");
        return null;
      }
      return key;
    } catch (ParseException | RuntimeException e) {
      errors.add("devicePublicJwk", "must be a public EC P-256 JWK");
      return null;
    }
  }

  private String randomToken() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static @Nullable Instant instant(@Nullable Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
