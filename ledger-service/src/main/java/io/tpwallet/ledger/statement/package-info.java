/**
 * Read side of the ledger: transfers by account, time range, reference and status with keyset
 * pagination, an account's balance at a point in time and its statement.
 */
@NullMarked
package io.tpwallet.ledger.statement;

import org.jspecify.annotations.NullMarked;
