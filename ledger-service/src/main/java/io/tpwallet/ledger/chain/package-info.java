/**
 * The hash chain over committed batches: appending a batch's link in its transaction, and verifying
 * the whole chain (REST and CLI).
 */
@NullMarked
package io.tpwallet.ledger.chain;

import org.jspecify.annotations.NullMarked;
