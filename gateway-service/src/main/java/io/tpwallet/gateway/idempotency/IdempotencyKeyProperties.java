package io.tpwallet.gateway.idempotency;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tpw.gateway.idempotency.*}: the POST paths that move money and so need an {@code
 * Idempotency-Key} header at the edge.
 *
 * @param moneyMovingPosts path patterns ({@code *} is one path segment) of the POSTs refused
 *     without the header
 */
@ConfigurationProperties("tpw.gateway.idempotency")
public record IdempotencyKeyProperties(
    @DefaultValue({
          "/v1/payments",
          "/v1/ledger/transfers",
          "/v1/ledger/transfers/*/post",
          "/v1/ledger/transfers/*/void",
          "/v1/ledger/transfers/*/reverse",
          "/v1/ledger/batches"
        })
        List<String> moneyMovingPosts) {}
