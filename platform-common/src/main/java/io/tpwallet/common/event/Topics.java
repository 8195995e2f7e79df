package io.tpwallet.common.event;

/**
 * The Kafka topics services talk over, {@code tpw.<domain>.<event>.v1}. Each carries CloudEvents
 * whose {@code type} is the topic name without the version.
 */
public final class Topics {

  public static final String PAYMENT_CREATED = "tpw.payment.created.v1";

  /** A payment settled: {@link PaymentFinished} with status SETTLED. */
  public static final String PAYMENT_SETTLED = "tpw.payment.settled.v1";

  /** A payment was declined or failed, nothing moved: {@link PaymentFinished}. */
  public static final String PAYMENT_FAILED = "tpw.payment.failed.v1";

  public static final String RISK_DECIDED = "tpw.risk.decided.v1";

  /** Command: sign a payout ({@link SignRequested}), answered by one of the two below. */
  public static final String SIGNING_SIGN_REQUESTED = "tpw.signing.sign-requested.v1";

  /** A requested signature was made: {@link MessageSigned}. */
  public static final String SIGNING_SIGNED = "tpw.signing.signed.v1";

  /** A requested signature was refused, with the reason: {@link SignRefused}. */
  public static final String SIGNING_SIGN_REFUSED = "tpw.signing.sign-refused.v1";

  public static final String LEDGER_TRANSFER_REQUESTED = "tpw.ledger.transfer-requested.v1";

  /**
   * Command: post many transfers, each on its own ({@link TransfersRequested}), answered by one
   * {@link TransfersAnswered} on the topic below.
   */
  public static final String LEDGER_TRANSFERS_REQUESTED = "tpw.ledger.transfers-requested.v1";

  /** Each transfer's result of one {@link TransfersRequested}: {@link TransfersAnswered}. */
  public static final String LEDGER_TRANSFERS_ANSWERED = "tpw.ledger.transfers-answered.v1";

  public static final String LEDGER_TRANSFER_POSTED = "tpw.ledger.transfer-posted.v1";
  public static final String LEDGER_TRANSFER_REJECTED = "tpw.ledger.transfer-rejected.v1";

  /** A hold (pending transfer) was placed: {@link TransferPending}. */
  public static final String LEDGER_TRANSFER_PENDING = "tpw.ledger.transfer-pending.v1";

  /** A hold was voided: {@link TransferVoided}. */
  public static final String LEDGER_TRANSFER_VOIDED = "tpw.ledger.transfer-voided.v1";

  /** A hold reached its timeout and was released: {@link TransferExpired}. */
  public static final String LEDGER_TRANSFER_EXPIRED = "tpw.ledger.transfer-expired.v1";

  /** An account's totals changed (once per account per batch): {@link BalanceChanged}. */
  public static final String LEDGER_BALANCE_CHANGED = "tpw.ledger.balance-changed.v1";

  /** Command: place a hold ({@link HoldRequested}). */
  public static final String LEDGER_HOLD_REQUESTED = "tpw.ledger.hold-requested.v1";

  /** Command: post a hold, all or part of it ({@link HoldPostRequested}). */
  public static final String LEDGER_HOLD_POST_REQUESTED = "tpw.ledger.hold-post-requested.v1";

  /** Command: void a hold ({@link HoldVoidRequested}). */
  public static final String LEDGER_HOLD_VOID_REQUESTED = "tpw.ledger.hold-void-requested.v1";

  /** Command: open an account under the sender's id ({@link AccountOpenRequested}). */
  public static final String LEDGER_ACCOUNT_OPEN_REQUESTED = "tpw.ledger.account-open-requested.v1";

  /** The ledger has the account a command asked for: {@link AccountOpened}. */
  public static final String LEDGER_ACCOUNT_OPENED = "tpw.ledger.account-opened.v1";

  /** The ledger refused to open an account: {@link AccountOpenRejected}. */
  public static final String LEDGER_ACCOUNT_OPEN_REJECTED = "tpw.ledger.account-open-rejected.v1";

  /** An account's limit was set or cleared: {@link AccountLimitChanged}. */
  public static final String LEDGER_ACCOUNT_LIMIT_CHANGED = "tpw.ledger.account-limit-changed.v1";

  /** Command: reverse a posted transfer, all or part of it ({@link TransferReverseRequested}). */
  public static final String LEDGER_TRANSFER_REVERSE_REQUESTED =
      "tpw.ledger.transfer-reverse-requested.v1";

  /** Command: hold a legacy user as a customer ({@link LegacyCustomerImportRequested}). */
  public static final String ACCOUNT_LEGACY_CUSTOMER_IMPORT_REQUESTED =
      "tpw.account.legacy-customer-import-requested.v1";

  /** Command: hold a legacy wallet as a wallet ({@link LegacyWalletImportRequested}). */
  public static final String ACCOUNT_LEGACY_WALLET_IMPORT_REQUESTED =
      "tpw.account.legacy-wallet-import-requested.v1";

  /** A migration job cut over or rolled back: {@link LegacyCutoverRecorded}. */
  public static final String MIGRATION_CUTOVER_RECORDED = "tpw.migration.cutover-recorded.v1";

  private Topics() {}

  /** The CloudEvent type for a topic: the topic without its version suffix. */
  public static String typeOf(String topic) {
    return topic.substring(0, topic.lastIndexOf('.'));
  }
}
