package io.tpwallet.account.customer;

import io.tpwallet.account.access.Access;
import io.tpwallet.account.access.Caller;
import io.tpwallet.account.access.FieldErrors;
import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.money.Asset;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Signs up customers, creates merchants, enterprises and sub-accounts, checks logins. */
@Service
public class Customers {

  public static final int NAME_LENGTH_MAX = 200;
  public static final int PASSWORD_LENGTH_MIN = 12;
  public static final int PASSWORD_LENGTH_MAX = 128;
  public static final int SUB_ACCOUNTS_PAGE_MAX = 200;

  private final CustomerRepository repository;
  private final TransactionTemplate tx;
  private final AuditLog audit;
  private final Access access;
  private final Clock clock;
  private final PasswordEncoder passwords = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();

  /** Hashed once so that a login with an unknown e-mail costs as much as a wrong password. */
  private final String decoyHash = passwords.encode("decoy-password-for-timing");

  Customers(
      CustomerRepository repository,
      TransactionTemplate tx,
      AuditLog audit,
      Access access,
      Clock clock) {
    this.repository = repository;
    this.tx = tx;
    this.audit = audit;
    this.access = access;
    this.clock = clock;
  }

  /** Body of the sign-up and of the creation of merchants and enterprises. */
  public record NewHolder(
      @Nullable String displayName, @Nullable String email, @Nullable String password) {}

  /** Body of a new sub-account: its name and own limits. */
  public record NewSubAccount(
      @Nullable String displayName,
      @Nullable String limitAsset,
      @Nullable String perTransaction,
      @Nullable String perDay) {}

  /** Self sign-up of an individual: KYC tier L0 and a password login. */
  public Customer signUp(NewHolder body) {
    var errors = new FieldErrors();
    String name = errors.text("displayName", body.displayName(), NAME_LENGTH_MAX);
    String email = errors.email("email", body.email());
    String password = body.password();
    String passwordProblem = passwordProblem(password);
    if (passwordProblem != null) {
      errors.add("password", passwordProblem);
    }
    errors.throwIfAny("Invalid customer");
    String hash = passwords.encode(password);
    Instant now = clock.instant();
    var customer =
        new Customer(
            Ids.newId(), CustomerKind.INDIVIDUAL, null, name, email, "L0", null, now, null);
    return insertOnce(
        customer,
        () -> {
          repository.insertCredential(customer.id(), hash, now);
          audit.done(customer.id().toString(), "customer.sign-up", customer.id().toString(), null);
        });
  }

  /** A merchant or an enterprise, made by operations ({@code admin:accounts}). */
  public Customer createByOperator(CustomerKind kind, NewHolder body) {
    Caller caller = access.require(io.tpwallet.account.access.Scopes.ADMIN_ACCOUNTS, "create");
    var errors = new FieldErrors();
    String name = errors.text("displayName", body.displayName(), NAME_LENGTH_MAX);
    String email = body.email() == null ? null : errors.email("email", body.email());
    errors.throwIfAny("Invalid " + kind.name().toLowerCase(java.util.Locale.ROOT));
    var customer =
        new Customer(Ids.newId(), kind, null, name, email, "L0", null, clock.instant(), null);
    return insertOnce(
        customer,
        () ->
            audit.done(
                caller.subject(),
                kind.name().toLowerCase(java.util.Locale.ROOT) + ".create",
                customer.id().toString(),
                name));
  }

  /** A sub-account of an enterprise, by the enterprise itself or by operations. */
  public Customer createSubAccount(UUID enterpriseId, NewSubAccount body) {
    Caller caller =
        access.requireOrAdmin(
            io.tpwallet.account.access.Scopes.ACCOUNTS_WRITE, "sub-account.create");
    Customer enterprise = visible(caller, enterpriseId, "sub-account.create");
    if (enterprise.kind() != CustomerKind.ENTERPRISE) {
      throw ProblemException.unprocessable(
          ProblemTypes.of("not-an-enterprise"),
          "Not an enterprise",
          "Only an enterprise has sub-accounts.");
    }
    var errors = new FieldErrors();
    String name = errors.text("displayName", body.displayName(), NAME_LENGTH_MAX);
    Asset asset = errors.asset("limitAsset", body.limitAsset());
    BigInteger perTx = errors.minor("perTransaction", body.perTransaction());
    BigInteger perDay = errors.minor("perDay", body.perDay());
    if (perTx != null && perDay != null && perTx.compareTo(perDay) > 0) {
      errors.add("perTransaction", "must not be larger than perDay");
    }
    errors.throwIfAny("Invalid sub-account");
    var customer =
        new Customer(
            Ids.newId(),
            CustomerKind.SUB_ACCOUNT,
            enterpriseId,
            name,
            null,
            enterprise.kycTier(),
            new Customer.OwnLimits(asset.code(), perTx.toString(), perDay.toString()),
            clock.instant(),
            null);
    return insertOnce(
        customer,
        () ->
            audit.done(
                caller.subject(),
                "sub-account.create",
                customer.id().toString(),
                enterpriseId.toString()));
  }

  /** The customer, if the caller may see it; 404 otherwise (audited). */
  public Customer get(UUID id, String action) {
    Caller caller = access.require(io.tpwallet.account.access.Scopes.ACCOUNTS_READ, action);
    return visible(caller, id, action);
  }

  public List<Customer> subAccounts(UUID enterpriseId) {
    Caller caller =
        access.require(io.tpwallet.account.access.Scopes.ACCOUNTS_READ, "sub-account.list");
    visible(caller, enterpriseId, "sub-account.list");
    return repository.children(enterpriseId, SUB_ACCOUNTS_PAGE_MAX);
  }

  /** The customer as the caller may see it: own, own sub-account, or any for operations. */
  public Customer visible(Caller caller, UUID id, String action) {
    Optional<Customer> found = repository.find(id);
    UUID parent = found.map(Customer::parentId).orElse(null);
    access.requireOwner(caller, id, parent, action, "customer");
    return found.orElseThrow(() -> ProblemException.notFound("No customer " + id + "."));
  }

  /** Any customer, without an access check (for this service's own use). */
  public Optional<Customer> find(UUID id) {
    return repository.find(id);
  }

  /** The customer whose login this is, or empty; the same work either way. */
  public Optional<UUID> authenticate(String email, String password) {
    var login = repository.login(email.strip().toLowerCase(java.util.Locale.ROOT));
    boolean ok = passwords.matches(password, login.map(l -> l.passwordHash()).orElse(decoyHash));
    return ok ? login.map(l -> l.customerId()) : Optional.empty();
  }

  /** What is wrong with a new password, or null when it will do. */
  public static @Nullable String passwordProblem(@Nullable String password) {
    if (password == null || password.length() < PASSWORD_LENGTH_MIN) {
      return "must be at least " + PASSWORD_LENGTH_MIN + " characters";
    }
    if (password.length() > PASSWORD_LENGTH_MAX) {
      return "must be at most " + PASSWORD_LENGTH_MAX + " characters";
    }
    return null;
  }

  /** The Argon2id hash of a password checked by {@link #passwordProblem}. */
  public String hashPassword(String password) {
    return passwords.encode(password);
  }

  /** Replaces a customer's password by an already computed hash (a completed recovery). */
  public void replacePasswordHash(UUID id, String hash) {
    repository.replacePasswordHash(id, hash, clock.instant());
  }

  /** The customer with this e-mail, if any (for this service's own use). */
  public Optional<UUID> idByEmail(String email) {
    return repository.idByEmail(email.strip().toLowerCase(java.util.Locale.ROOT));
  }

  /** Sets the KYC tier (called by the KYC feature once a provider approved). */
  public void setTier(UUID id, String tier) {
    if (!repository.setTier(id, tier)) {
      throw ProblemException.notFound("No customer " + id + ".");
    }
  }

  private Customer insertOnce(Customer customer, Runnable alsoInTransaction) {
    try {
      tx.executeWithoutResult(
          status -> {
            if (customer.email() != null && repository.emailTaken(customer.email())) {
              throw emailTaken();
            }
            repository.insert(customer);
            alsoInTransaction.run();
          });
    } catch (DuplicateKeyException race) {
      throw emailTaken();
    }
    return customer;
  }

  private static ProblemException emailTaken() {
    return new ProblemException(
        HttpStatus.CONFLICT,
        ProblemTypes.CONFLICT,
        "E-mail taken",
        "An account with this e-mail address exists already.");
  }
}
