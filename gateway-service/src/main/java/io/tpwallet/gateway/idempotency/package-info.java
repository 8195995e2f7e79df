/** The Idempotency-Key header required at the edge on the POSTs that move money. */
@NullMarked
package io.tpwallet.gateway.idempotency;

import org.jspecify.annotations.NullMarked;
