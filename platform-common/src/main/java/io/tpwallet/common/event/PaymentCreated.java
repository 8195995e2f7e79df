package io.tpwallet.common.event;

import java.util.UUID;

/** routing-service accepted a payment; risk-service is to score it. Amount in minor units. */
public record PaymentCreated(
    UUID paymentId,
    UUID payerAccountId,
    UUID payeeAccountId,
    String amount,
    String asset,
    String reference) {}
