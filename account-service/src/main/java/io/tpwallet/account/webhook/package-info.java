/**
 * Merchant webhooks: signed (HMAC-SHA256) notices of payments' final statuses, delivered at least
 * once with exponential backoff, a delivery log, a dead state and replay.
 */
@NullMarked
package io.tpwallet.account.webhook;

import org.jspecify.annotations.NullMarked;
