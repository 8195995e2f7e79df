package io.tpwallet.account.wallet;

import io.tpwallet.account.access.Access;
import io.tpwallet.account.access.Caller;
import io.tpwallet.account.access.FieldErrors;
import io.tpwallet.account.access.Scopes;
import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.account.customer.Customer;
import io.tpwallet.account.customer.Customers;
import io.tpwallet.account.kyc.Kyc;
import io.tpwallet.common.event.AccountOpenRejected;
import io.tpwallet.common.event.AccountOpenRequested;
import io.tpwallet.common.event.AccountOpened;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.id.Ids;
import io.tpwallet.common.money.Asset;
import io.tpwallet.common.outbox.Outbox;
import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Opens wallets and follows them to ACTIVE. A new wallet and the ledger command that opens its
 * account ({@code tpw.ledger.account-open-requested.v1}, account id = wallet id) commit together
 * through the outbox, so a wallet never lacks its command nor a command its wallet; the ledger's
 * answer makes the wallet ACTIVE (or FAILED).
 */
@Service
public class Wallets {

  public static final URI NOT_ACTIVE = ProblemTypes.of("wallet-not-active");
  public static final URI ASSET_MISMATCH = ProblemTypes.of("wallet-asset-mismatch");

  /** The ledger account code of every wallet, and the flag that keeps it from going negative. */
  static final String LEDGER_CODE = "wallet";

  static final String NO_OVERDRAFT = "DEBITS_MUST_NOT_EXCEED_CREDITS";
  static final int WALLETS_PER_HOLDER_MAX = 50;

  private static final Logger log = LoggerFactory.getLogger(Wallets.class);
  private static final String COLUMNS =
      "id, customer_id, asset, status, reason, created_at, updated_at, legacy_ref";

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final Outbox outbox;
  private final Customers customers;
  private final Kyc kyc;
  private final Access access;
  private final AuditLog audit;
  private final Clock clock;

  Wallets(
      JdbcClient jdbc,
      TransactionTemplate tx,
      Outbox outbox,
      Customers customers,
      Kyc kyc,
      Access access,
      AuditLog audit,
      Clock clock) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.outbox = outbox;
    this.customers = customers;
    this.kyc = kyc;
    this.access = access;
    this.audit = audit;
    this.clock = clock;
  }

  /** Body of {@code POST .../wallets}. */
  public record NewWallet(@Nullable String asset) {}

  /** A wallet and whether this request opened it (201) or found it (200). */
  public record Opening(Wallet wallet, boolean created) {}

  /**
   * Opens the holder's wallet of an asset, or answers the one it has: a holder has at most one
   * wallet per asset, so asking again is safe.
   */
  public Opening open(UUID customerId, NewWallet body) {
    Caller caller = access.requireOrAdmin(Scopes.ACCOUNTS_WRITE, "wallet.open");
    customers.visible(caller, customerId, "wallet.open");
    var errors = new FieldErrors();
    Asset asset = errors.asset("asset", body.asset());
    errors.throwIfAny("Invalid wallet");
    return Objects.requireNonNull(
        tx.execute(
            status -> {
              Optional<Wallet> existing = byHolderAndAsset(customerId, asset.code());
              if (existing.isPresent()) {
                return new Opening(existing.get(), false);
              }
              if (list(customerId).size() >= WALLETS_PER_HOLDER_MAX) {
                throw ProblemException.unprocessable(
                    ProblemTypes.of("too-many-wallets"),
                    "Too many wallets",
                    "A holder has at most " + WALLETS_PER_HOLDER_MAX + " wallets.");
              }
              Instant now = clock.instant();
              UUID id = Ids.newId();
              int inserted =
                  jdbc.sql(
                          "insert into wallet (id, customer_id, asset, status, reason,"
                              + " created_at, updated_at) values (?, ?, ?, ?, null, ?, ?)"
                              + " on conflict do nothing")
                      .params(
                          id,
                          customerId,
                          asset.code(),
                          Wallet.OPENING,
                          Timestamp.from(now),
                          Timestamp.from(now))
                      .update();
              if (inserted == 0) {
                // A concurrent request (or an import) made the holder's wallet of the asset first.
                return new Opening(byHolderAndAsset(customerId, asset.code()).orElseThrow(), false);
              }
              outbox.add(
                  Topics.LEDGER_ACCOUNT_OPEN_REQUESTED,
                  id.toString(),
                  new AccountOpenRequested(
                      id,
                      asset.code(),
                      LEDGER_CODE,
                      "customer:" + customerId,
                      List.of(NO_OVERDRAFT)));
              audit.done(caller.subject(), "wallet.open", id.toString(), customerId + " " + asset);
              return new Opening(find(id).orElseThrow(), true);
            }));
  }

  /** The holder's wallets (at most {@link #WALLETS_PER_HOLDER_MAX}). */
  public List<Wallet> listOf(UUID customerId) {
    Caller caller = access.require(Scopes.ACCOUNTS_READ, "wallet.list");
    customers.visible(caller, customerId, "wallet.list");
    return list(customerId);
  }

  /** One wallet; another holder's wallet answers 404 like an unknown id (audited). */
  public Wallet get(UUID walletId) {
    Caller caller = access.require(Scopes.ACCOUNTS_READ, "wallet.read");
    return visible(caller, walletId, "wallet.read");
  }

  /**
   * Counts a payment from this wallet against its holder's KYC limits (422 {@code
   * kyc-limit-exceeded} when over), as routing-service asks before it accepts a payment. The wallet
   * must be active and of the payment's asset.
   */
  public Kyc.Authorization authorize(UUID walletId, Kyc.AuthorizationRequest body) {
    Caller caller = access.require(Scopes.PAYMENTS_WRITE, "wallet.authorize");
    Wallet wallet = visible(caller, walletId, "wallet.authorize");
    if (body.asset() != null && !wallet.asset().equalsIgnoreCase(body.asset().strip())) {
      throw ProblemException.unprocessable(
          ASSET_MISMATCH,
          "Wrong asset",
          "Wallet " + walletId + " holds " + wallet.asset() + ", not " + body.asset() + ".");
    }
    if (!Wallet.ACTIVE.equals(wallet.status())) {
      throw new ProblemException(
          HttpStatus.CONFLICT,
          NOT_ACTIVE,
          "Wallet not active",
          "Wallet "
              + walletId
              + " is "
              + wallet.status()
              + (wallet.reason() == null ? "" : " (" + wallet.reason() + ")")
              + "; it cannot pay.");
    }
    return kyc.authorize(wallet.customerId(), body);
  }

  /** The ledger opened the wallet's account: the wallet becomes ACTIVE. In the inbox's tx. */
  void onAccountOpened(AccountOpened opened) {
    Optional<Wallet> wallet = find(opened.accountId());
    if (wallet.isEmpty()) {
      return; // an account someone else asked for (migration, operations): not a wallet
    }
    if (!wallet.get().asset().equals(opened.asset())) {
      log.error(
          "Ledger opened wallet {} in {}, not {}", opened.accountId(), opened.asset(), wallet);
      transition(opened.accountId(), Wallet.FAILED, "ledger account holds " + opened.asset());
      return;
    }
    if (transition(opened.accountId(), Wallet.ACTIVE, null)) {
      audit.done("ledger-service", "wallet.active", opened.accountId().toString(), null);
    }
  }

  /** The ledger refused to open the account: the wallet is FAILED with its reason. */
  void onAccountOpenRejected(AccountOpenRejected rejected) {
    if (transition(
        rejected.accountId(), Wallet.FAILED, rejected.reason() + ": " + rejected.detail())) {
      audit.refused(
          "ledger-service", "wallet.open", rejected.accountId().toString(), rejected.reason());
    }
  }

  /** OPENING to {@code status}; a late or repeated answer changes nothing. */
  private boolean transition(UUID id, String status, @Nullable String reason) {
    return jdbc.sql(
                "update wallet set status = ?, reason = ?, updated_at = ? where id = ?"
                    + " and status = 'OPENING'")
            .params(status, reason, Timestamp.from(clock.instant()), id)
            .update()
        == 1;
  }

  private Wallet visible(Caller caller, UUID walletId, String action) {
    Optional<Wallet> wallet = find(walletId);
    if (caller.isAdmin() && wallet.isPresent()) {
      return wallet.get();
    }
    UUID acting = caller.customerId();
    if (wallet.isPresent() && acting != null) {
      UUID owner = wallet.get().customerId();
      UUID parent = customers.find(owner).map(Customer::parentId).orElse(null);
      if (acting.equals(owner) || acting.equals(parent)) {
        return wallet.get();
      }
    }
    audit.refused(caller.subject(), action, walletId.toString(), "not the owner");
    throw ProblemException.notFound("No wallet " + walletId + " is visible to the caller.");
  }

  /** The holder of a wallet (for this service's own use: no access check). */
  public Optional<UUID> holderOf(UUID walletId) {
    return find(walletId).map(Wallet::customerId);
  }

  private Optional<Wallet> find(UUID id) {
    return jdbc.sql("select " + COLUMNS + " from wallet where id = ?")
        .param(id)
        .query(Wallets::map)
        .optional();
  }

  private Optional<Wallet> byHolderAndAsset(UUID customerId, String asset) {
    return jdbc.sql(
            "select "
                + COLUMNS
                + " from wallet where customer_id = ? and asset = ? and "
                + LegacyWalletState.COUNTED_FOR_ASSET)
        .params(customerId, asset)
        .query(Wallets::map)
        .optional();
  }

  private List<Wallet> list(UUID customerId) {
    return jdbc.sql("select " + COLUMNS + " from wallet where customer_id = ? order by id limit ?")
        .params(customerId, WALLETS_PER_HOLDER_MAX)
        .query(Wallets::map)
        .list();
  }

  private static Wallet map(ResultSet rs, int row) throws SQLException {
    return new Wallet(
        rs.getObject("id", UUID.class),
        rs.getObject("customer_id", UUID.class),
        rs.getString("asset"),
        rs.getString("status"),
        rs.getString("reason"),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant(),
        rs.getString("legacy_ref"));
  }
}
