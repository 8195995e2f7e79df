package io.tpwallet.common.event;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * routing-service's payment reached a final status: on {@code tpw.payment.settled.v1} it is SETTLED
 * (the money moved); on {@code tpw.payment.failed.v1} it is DECLINED (by risk) or FAILED (refused
 * by the ledger) and nothing moved, {@code reason} says why. Merchants get these as webhooks.
 */
public record PaymentFinished(
    UUID paymentId,
    String status,
    UUID payerAccountId,
    UUID payeeAccountId,
    String amount,
    String asset,
    @Nullable String reference,
    @Nullable String reason,
    Instant at) {}
