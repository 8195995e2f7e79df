package io.tpwallet.common.event;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A command to ledger-service: open an account under the id the sender made (a wallet's id). The
 * ledger opens an id at most once and answers {@link AccountOpened}, also when the same account
 * exists already, or {@link AccountOpenRejected}.
 *
 * @param flags names of the ledger's account flags, e.g. {@code DEBITS_MUST_NOT_EXCEED_CREDITS}
 */
public record AccountOpenRequested(
    UUID accountId,
    String asset,
    String code,
    @Nullable String ownerRef,
    @Nullable List<String> flags) {}
