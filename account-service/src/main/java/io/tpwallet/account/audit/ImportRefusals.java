package io.tpwallet.account.audit;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * How a migration import command that can never apply is refused: the refusal is audited under the
 * command's action and thrown as an {@link IllegalArgumentException}, which the listener parks on
 * the dead-letter topic instead of retrying.
 */
public final class ImportRefusals {

  private final AuditLog audit;
  private final String actor;
  private final String action;
  private final String subject;

  /**
   * @param actor who the audit log names ({@code migration-service})
   * @param action the audited action, e.g. {@code customer.import}
   * @param subject what the message names, e.g. {@code legacy customer import}
   */
  public ImportRefusals(AuditLog audit, String actor, String action, String subject) {
    this.audit = audit;
    this.actor = actor;
    this.action = action;
    this.subject = subject;
  }

  /** {@code value}, or a refusal of the command about {@code id} that lacks {@code field}. */
  public <T> T required(@Nullable T value, String field, @Nullable UUID id) {
    if (value == null) {
      throw refuse(id, field + " is missing");
    }
    return value;
  }

  /** Audits the refusal of the command about {@code id} and answers the exception to throw. */
  public IllegalArgumentException refuse(@Nullable UUID id, String why) {
    audit.refused(actor, action, id == null ? null : id.toString(), why);
    return new IllegalArgumentException(subject + " " + id + ": " + why);
  }
}
