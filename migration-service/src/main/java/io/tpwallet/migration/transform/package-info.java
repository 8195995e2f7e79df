/**
 * Turns legacy rows into ledger commands: amounts to integer minor units of the asset scale
 * (refused, never rounded, when they do not fit), local legacy times to UTC, legacy status codes to
 * decisions, and deterministic ids and idempotency keys. Pure functions, no I/O.
 */
@NullMarked
package io.tpwallet.migration.transform;

import org.jspecify.annotations.NullMarked;
