package io.tpwallet.ledger.account;

import io.tpwallet.common.event.AccountOpenRejected;
import io.tpwallet.common.event.AccountOpenRequested;
import io.tpwallet.common.event.AccountOpened;
import io.tpwallet.common.event.Envelope;
import io.tpwallet.common.event.Topics;
import io.tpwallet.common.inbox.Inbox;
import io.tpwallet.common.money.Asset;
import io.tpwallet.common.outbox.Outbox;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Opens the accounts other services ask for on Kafka (account-service's wallets) under the id the
 * sender made, and answers each command in the same transaction as the inbox row: AccountOpened
 * when the account exists now (opened by this command or by an earlier one with the same fields),
 * AccountOpenRejected otherwise. A redelivered command finds its inbox row and does nothing; a new
 * command for an id already opened opens nothing and is answered again.
 */
@Component
class AccountOpenRequestedListener {

  static final String CONSUMER = "ledger.account-open-requested";

  private static final Logger log = LoggerFactory.getLogger(AccountOpenRequestedListener.class);

  private final Inbox inbox;
  private final Outbox outbox;
  private final Envelope envelope;
  private final Accounts accounts;

  AccountOpenRequestedListener(Inbox inbox, Outbox outbox, Envelope envelope, Accounts accounts) {
    this.inbox = inbox;
    this.outbox = outbox;
    this.envelope = envelope;
    this.accounts = accounts;
  }

  @KafkaListener(topics = Topics.LEDGER_ACCOUNT_OPEN_REQUESTED)
  void onAccountOpenRequested(ConsumerRecord<String, byte[]> record) {
    inbox.apply(
        CONSUMER,
        record,
        event -> {
          AccountOpenRequested command = envelope.data(event, AccountOpenRequested.class);
          if (command.accountId() == null) {
            // Cannot be answered: IllegalArgumentException parks it on the dead-letter topic.
            throw new IllegalArgumentException("AccountOpenRequested without accountId");
          }
          String key = command.accountId().toString();
          Optional<AccountOpenRejected> refusal = refusal(command);
          if (refusal.isPresent()) {
            log.info("Refused to open account {}: {}", key, refusal.get().detail());
            outbox.add(Topics.LEDGER_ACCOUNT_OPEN_REJECTED, key, refusal.get());
            return;
          }
          Asset asset = Asset.find(command.asset()).orElseThrow();
          Accounts.Opening opening =
              accounts.open(
                  command.accountId(), asset, command.code(), command.ownerRef(), flags(command));
          if (opening.result() == Accounts.Opened.EXISTS_WITH_DIFFERENT_FIELDS) {
            outbox.add(
                Topics.LEDGER_ACCOUNT_OPEN_REJECTED,
                key,
                new AccountOpenRejected(
                    command.accountId(),
                    "EXISTS_WITH_DIFFERENT_FIELDS",
                    "An account with id " + key + " exists with other fields."));
            return;
          }
          Account account = opening.account();
          outbox.add(
              Topics.LEDGER_ACCOUNT_OPENED,
              key,
              new AccountOpened(
                  account.id(),
                  account.asset().code(),
                  account.code(),
                  account.ownerRef(),
                  account.createdAt()));
        });
  }

  /** Why the command cannot be applied, checked with the same limits as the REST endpoint. */
  private static Optional<AccountOpenRejected> refusal(AccountOpenRequested c) {
    if (c.asset() == null || Asset.find(c.asset()).isEmpty()) {
      return Optional.of(
          new AccountOpenRejected(
              c.accountId(), "UNKNOWN_ASSET", "The asset " + c.asset() + " is not supported."));
    }
    String code = c.code();
    if (code == null || code.isBlank() || code.length() > AccountController.CODE_LENGTH_MAX) {
      return invalid(c, "code must be 1-" + AccountController.CODE_LENGTH_MAX + " characters");
    }
    if (c.ownerRef() != null && c.ownerRef().length() > AccountController.OWNER_REF_LENGTH_MAX) {
      return invalid(
          c, "ownerRef must be at most " + AccountController.OWNER_REF_LENGTH_MAX + " characters");
    }
    for (String flag : c.flags() == null ? List.<String>of() : c.flags()) {
      if (EnumSet.allOf(AccountFlag.class).stream().noneMatch(f -> f.name().equals(flag))) {
        return invalid(c, "unknown flag " + flag);
      }
    }
    if (flags(c).containsAll(EnumSet.allOf(AccountFlag.class))) {
      return invalid(c, "an account cannot have both limits: it could never be posted to");
    }
    return Optional.empty();
  }

  private static Optional<AccountOpenRejected> invalid(AccountOpenRequested c, String detail) {
    return Optional.of(new AccountOpenRejected(c.accountId(), "INVALID_ACCOUNT", detail));
  }

  private static EnumSet<AccountFlag> flags(AccountOpenRequested c) {
    EnumSet<AccountFlag> flags = EnumSet.noneOf(AccountFlag.class);
    if (c.flags() != null) {
      c.flags().forEach(f -> flags.add(AccountFlag.valueOf(f)));
    }
    return flags;
  }
}
