package io.tpwallet.account.audit;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** One row of the audit log. */
public record AuditEvent(
    long seq,
    Instant at,
    String actor,
    String action,
    @Nullable String target,
    String outcome,
    @Nullable String sourceIp,
    @Nullable String detail) {}
