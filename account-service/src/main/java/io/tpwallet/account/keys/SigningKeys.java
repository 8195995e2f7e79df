package io.tpwallet.account.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.common.id.Ids;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The ES256 keys that sign access tokens. One key signs at a time; on rotation it stops signing but
 * stays in the JWKS until the last token it signed has expired (TTL plus clock skew), so that a
 * resource server never meets a valid token whose key it cannot find.
 *
 * <p>The private keys are kept in this service's database; a production deployment would keep them
 * in a KMS/HSM and store only a handle (see docs/account-service.md).
 */
@Service
public class SigningKeys {

  private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

  /** How long a snapshot of the keys is trusted before the database is read again. */
  private static final Duration SNAPSHOT_TTL = Duration.ofSeconds(10);

  /** Serialises rotation across instances (pg_advisory_xact_lock key). */
  private static final long ROTATION_LOCK = 0x7470772d6b657973L;

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final TokenProperties properties;
  private final AuditLog audit;

  private record Snapshot(ECKey signing, List<ECKey> served, Instant readAt) {}

  private volatile Snapshot snapshot;

  SigningKeys(
      JdbcClient jdbc,
      TransactionTemplate tx,
      Clock clock,
      TokenProperties properties,
      AuditLog audit) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.clock = clock;
    this.properties = properties;
    this.audit = audit;
    rotateIfDue();
    this.snapshot = load();
  }

  /** The key that signs new tokens now. */
  public ECKey signingKey() {
    return current().signing();
  }

  /** The public keys a resource server may meet: the signing one and those not yet retired. */
  public JWKSet publicKeys() {
    return new JWKSet(
        current().served().stream().map(k -> (com.nimbusds.jose.jwk.JWK) k.toPublicJWK()).toList());
  }

  /** The same public keys, for this service's own token checks. */
  public JWKSource<SecurityContext> jwkSource() {
    return (selector, context) -> selector.select(publicKeys());
  }

  /**
   * Makes a new signing key now (an operator's action, or the schedule); the old one is served
   * until its tokens have expired.
   */
  public String rotate(String actor) {
    String kid =
        tx.execute(
            status -> {
              jdbc.sql("select pg_advisory_xact_lock(?)").param(ROTATION_LOCK).query().listOfRows();
              String made = insertNewKey();
              audit.done(actor, "signing-key.rotate", made, null);
              return made;
            });
    snapshot = load();
    log.info("Signing key rotated; new kid {}", kid);
    return kid;
  }

  /** Rotates when the signing key is older than the rotation period (or there is none). */
  @Scheduled(fixedDelayString = "${tpw.account.tokens.rotation-check:60s}")
  public void rotateIfDue() {
    boolean rotated =
        Boolean.TRUE.equals(
            tx.execute(
                status -> {
                  jdbc.sql("select pg_advisory_xact_lock(?)")
                      .param(ROTATION_LOCK)
                      .query()
                      .listOfRows();
                  var newest =
                      jdbc.sql(
                              "select created_at from signing_key where signing_until is null"
                                  + " order by created_at desc limit 1")
                          .query(Timestamp.class)
                          .optional();
                  Instant now = clock.instant();
                  if (newest.isPresent()
                      && newest.get().toInstant().plus(properties.keyRotation()).isAfter(now)) {
                    return false;
                  }
                  String kid = insertNewKey();
                  audit.done("system", "signing-key.rotate", kid, "scheduled");
                  return true;
                }));
    if (rotated || snapshot == null) {
      snapshot = load();
    }
  }

  private String insertNewKey() {
    Instant now = clock.instant();
    Instant retire = now.plus(properties.accessTokenTtl()).plus(properties.clockSkew());
    jdbc.sql(
            "update signing_key set signing_until = ?, retire_after = ? where signing_until is"
                + " null")
        .params(Timestamp.from(now), Timestamp.from(retire))
        .update();
    String kid = Ids.newId().toString();
    ECKey key;
    try {
      key =
          new ECKeyGenerator(Curve.P_256)
              .keyID(kid)
              .keyUse(KeyUse.SIGNATURE)
              .algorithm(JWSAlgorithm.ES256)
              .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot make a P-256 key", e);
    }
    jdbc.sql("insert into signing_key (kid, private_jwk, created_at) values (?, ?, ?)")
        .params(kid, key.toJSONString(), Timestamp.from(now))
        .update();
    return kid;
  }

  private Snapshot current() {
    Snapshot s = snapshot;
    if (s.readAt().plus(SNAPSHOT_TTL).isBefore(clock.instant())) {
      s = load();
      snapshot = s;
    }
    return s;
  }

  private Snapshot load() {
    Instant now = clock.instant();
    List<ECKey> keys =
        jdbc.sql(
                "select private_jwk from signing_key where retire_after is null or retire_after >"
                    + " ? order by created_at desc")
            .param(Timestamp.from(now))
            .query((rs, i) -> parse(rs.getString(1)))
            .list();
    if (keys.isEmpty()) {
      throw new IllegalStateException("no signing key: rotateIfDue() makes one at start-up");
    }
    return new Snapshot(keys.get(0), keys, now);
  }

  private static ECKey parse(String json) {
    try {
      return ECKey.parse(json);
    } catch (ParseException e) {
      throw new IllegalStateException("unreadable signing key in the database", e);
    }
  }
}
