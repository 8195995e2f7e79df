package io.tpwallet.account.customer;

import io.tpwallet.account.access.FieldErrors;
import io.tpwallet.account.audit.AuditLog;
import io.tpwallet.account.audit.ImportRefusals;
import io.tpwallet.common.event.LegacyCustomerImportRequested;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/**
 * Holds legacy users as customers, on migration-service's import command. The command's customer id
 * is the customer's id, so a repeated command finds the customer it made; a later command replaces
 * its name and e-mail (newest wins), but only of a customer an import made. A legacy e-mail that
 * another customer already holds (legacy data has duplicates) is left out, with the reason in
 * {@code import_note} and the audit log, rather than refusing the customer.
 */
@Service
public class LegacyCustomers {

  /** Who the audit log names for what the migration's commands did. */
  public static final String ACTOR = "migration-service";

  /** {@code legacy:<table>:<key>}, as migration-service's LegacyIds writes it. */
  static final Pattern LEGACY_REF = Pattern.compile("legacy:[^\\s:]{1,50}:[^\\s]{1,150}");

  private final CustomerRepository repository;
  private final AuditLog audit;
  private final ImportRefusals refusals;

  LegacyCustomers(CustomerRepository repository, AuditLog audit) {
    this.repository = repository;
    this.audit = audit;
    this.refusals = new ImportRefusals(audit, ACTOR, "customer.import", "legacy customer import");
  }

  /** Whether {@code ref} reads {@code legacy:<table>:<key>}. */
  public static boolean isLegacyRef(String ref) {
    return LEGACY_REF.matcher(ref).matches();
  }

  /** A customer as an import sees it. */
  public record Holder(UUID id, @Nullable String legacyRef, boolean deleted) {
    public boolean imported() {
      return legacyRef != null;
    }
  }

  /** The customer, if any, with what the wallet imports need of it. */
  public Optional<Holder> holder(UUID id) {
    return repository.imported(id).map(c -> new Holder(c.id(), c.legacyRef(), c.deleted()));
  }

  /**
   * Creates or updates the customer of the command, in the caller's transaction (the inbox's).
   * Throws {@link IllegalArgumentException} (audited) for a command that can never apply: the
   * platform's Kafka error handler parks it on the dead-letter topic instead of retrying it.
   */
  public Holder importCustomer(LegacyCustomerImportRequested command) {
    UUID id = refusals.required(command.customerId(), "customerId", null);
    UUID jobId = refusals.required(command.jobId(), "jobId", id);
    String legacyRef = refusals.required(command.legacyRef(), "legacyRef", id);
    refusals.required(command.createdAt(), "createdAt", id);
    if (!isLegacyRef(legacyRef)) {
      throw refusals.refuse(
          id, "legacyRef " + abbreviate(legacyRef) + " is not legacy:<table>:<key>");
    }
    Optional<CustomerRepository.Imported> existing = repository.imported(id);
    if (existing.isPresent() && !legacyRef.equals(existing.get().legacyRef())) {
      throw refusals.refuse(
          id,
          existing.get().legacyRef() == null
              ? "the id is a platform customer's, not an imported one"
              : "the customer was imported as "
                  + existing.get().legacyRef()
                  + ", not "
                  + legacyRef);
    }
    Optional<UUID> sameRef = repository.idByLegacyRef(jobId, legacyRef);
    if (sameRef.isPresent() && !sameRef.get().equals(id)) {
      throw refusals.refuse(
          id, "job " + jobId + " imported " + legacyRef + " already as customer " + sameRef.get());
    }
    String name = displayName(command.displayName(), legacyRef);
    Email email = email(command.email());
    String address = email.address();
    String note = email.note();
    if (address != null) {
      Optional<UUID> holder = repository.idByEmail(address);
      if (holder.isPresent() && !holder.get().equals(id)) {
        note = "legacy e-mail " + address + " is held by customer " + holder.get();
        address = null;
      }
    }
    // A deletion is never undone by an import: releasing such a customer is an operator's call.
    boolean deleted = command.deleted() || existing.map(c -> c.deleted()).orElse(false);
    var imported =
        new CustomerRepository.Imported(id, legacyRef, jobId, deleted, name, address, note);
    if (existing.isEmpty()) {
      repository.insertImported(imported, command.createdAt());
      audit.done(ACTOR, "customer.import", id.toString(), legacyRef + " job " + jobId);
    } else if (!imported.equals(existing.get())) {
      repository.updateImported(imported);
      audit.done(ACTOR, "customer.import.update", id.toString(), legacyRef + " job " + jobId);
    }
    if (note != null && !Objects.equals(note, existing.map(c -> c.note()).orElse(null))) {
      audit.done(ACTOR, "customer.import.without-email", id.toString(), note);
    }
    return new Holder(id, legacyRef, deleted);
  }

  /** The legacy display name, or one made from the legacy key when it has none that will do. */
  static String displayName(@Nullable String legacy, String legacyRef) {
    String name = legacy == null ? "" : legacy.strip();
    if (name.isEmpty()) {
      return "Legacy user " + legacyRef.substring(legacyRef.lastIndexOf(':') + 1);
    }
    if (name.length() > Customers.NAME_LENGTH_MAX) {
      int end = Customers.NAME_LENGTH_MAX;
      if (Character.isHighSurrogate(name.charAt(end - 1))) {
        end--; // do not cut a character in two
      }
      return name.substring(0, end).strip();
    }
    return name;
  }

  /** A legacy e-mail as the customer gets it (lower case), or none and why. */
  record Email(@Nullable String address, @Nullable String note) {}

  static Email email(@Nullable String legacy) {
    if (legacy == null || legacy.isBlank()) {
      return new Email(null, null);
    }
    String address = new FieldErrors().email("email", legacy);
    return address == null
        ? new Email(null, "legacy e-mail " + abbreviate(legacy) + " is not an e-mail address")
        : new Email(address, null);
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "...";
  }
}
