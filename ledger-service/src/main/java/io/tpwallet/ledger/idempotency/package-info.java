/** The Idempotency-Key header (IETF draft) on the ledger's money-moving POSTs. */
@NullMarked
package io.tpwallet.ledger.idempotency;

import org.jspecify.annotations.NullMarked;
