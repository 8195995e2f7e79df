package io.tpwallet.account.token;

import io.tpwallet.account.access.Access;
import io.tpwallet.account.access.Caller;
import io.tpwallet.account.access.Scopes;
import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.account.customer.Customer;
import io.tpwallet.account.customer.CustomerKind;
import io.tpwallet.account.customer.Customers;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * API clients for the client-credentials grant. A merchant's client acts for the merchant with the
 * scopes operations gave it; the secret (256 random bits) is shown once and stored as its SHA-256.
 * An operations client (no holder, back-office scopes) may be configured at start-up.
 */
@Service
public class ApiClients {

  private static final Logger log = LoggerFactory.getLogger(ApiClients.class);

  private final JdbcClient jdbc;
  private final Customers customers;
  private final Access access;
  private final AuditLog audit;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  ApiClients(
      JdbcClient jdbc,
      Customers customers,
      Access access,
      AuditLog audit,
      Clock clock,
      @Value("${tpw.account.ops-client.id:}") String opsClientId,
      @Value("${tpw.account.ops-client.secret:}") String opsClientSecret) {
    this.jdbc = jdbc;
    this.customers = customers;
    this.access = access;
    this.audit = audit;
    this.clock = clock;
    if (!opsClientId.isBlank() && !opsClientSecret.isBlank()) {
      upsertOpsClient(opsClientId, opsClientSecret);
    }
  }

  /** A client as stored (without its secret). */
  public record Client(
      String clientId, @Nullable UUID customerId, Set<String> scopes, boolean enabled) {}

  /** A new client with its secret, shown this once. */
  public record Created(
      String clientId, String clientSecret, UUID customerId, List<String> scopes) {}

  /** Body of a new merchant client: the scopes it may ask for. */
  public record NewClient(@Nullable List<String> scopes) {}

  @Transactional
  public Created create(UUID merchantId, NewClient body) {
    Caller caller = access.require(Scopes.ADMIN_ACCOUNTS, "api-client.create");
    Customer merchant =
        customers
            .find(merchantId)
            .orElseThrow(() -> ProblemException.notFound("No merchant " + merchantId + "."));
    if (merchant.kind() != CustomerKind.MERCHANT && merchant.kind() != CustomerKind.ENTERPRISE) {
      throw ProblemException.unprocessable(
          ProblemTypes.of("not-a-merchant"),
          "Not a merchant",
          "API clients are for merchants and enterprises.");
    }
    List<String> scopes = body.scopes();
    if (scopes == null || scopes.isEmpty() || !Scopes.MERCHANT_CLIENT_ALLOWED.containsAll(scopes)) {
      throw ProblemException.badRequest(
          ProblemTypes.VALIDATION,
          "Invalid scopes",
          "scopes must be a non-empty subset of " + Scopes.MERCHANT_CLIENT_ALLOWED + ".");
    }
    String clientId = "mc_" + token(12);
    String secret = token(32);
    jdbc.sql(
            "insert into api_client (client_id, customer_id, secret_sha256, scopes, created_at)"
                + " values (?, ?, ?, ?, ?)")
        .params(
            clientId,
            merchantId,
            sha256(secret),
            String.join(" ", scopes),
            Timestamp.from(clock.instant()))
        .update();
    audit.done(
        caller.subject(), "api-client.create", merchantId.toString(), clientId + " " + scopes);
    return new Created(clientId, secret, merchantId, List.copyOf(scopes));
  }

  /** The client if the secret is right; compared in constant time. */
  public Optional<Client> authenticate(String clientId, String secret) {
    var row =
        jdbc.sql(
                "select client_id, customer_id, secret_sha256, scopes, enabled from api_client"
                    + " where client_id = ?")
            .param(clientId)
            .query(
                (rs, i) ->
                    new Object[] {
                      new Client(
                          rs.getString(1),
                          rs.getObject(2, UUID.class),
                          Scopes.parse(rs.getString(4)),
                          rs.getBoolean(5)),
                      rs.getBytes(3)
                    })
            .optional();
    byte[] given = sha256(secret);
    byte[] stored = row.map(r -> (byte[]) r[1]).orElse(new byte[32]);
    boolean ok = MessageDigest.isEqual(given, stored) && row.isPresent();
    return ok ? row.map(r -> (Client) r[0]).filter(Client::enabled) : Optional.empty();
  }

  private void upsertOpsClient(String clientId, String secret) {
    jdbc.sql(
            """
            insert into api_client (client_id, customer_id, secret_sha256, scopes, created_at)
            values (?, null, ?, ?, ?)
            on conflict (client_id) do update set secret_sha256 = excluded.secret_sha256,
                scopes = excluded.scopes""")
        .params(
            clientId,
            sha256(secret),
            String.join(" ", new java.util.TreeSet<>(Scopes.OPS_CLIENT_ALLOWED)),
            Timestamp.from(clock.instant()))
        .update();
    log.info("Operations API client {} configured", clientId);
  }

  static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private String token(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
