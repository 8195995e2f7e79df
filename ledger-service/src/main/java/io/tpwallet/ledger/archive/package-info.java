/**
 * Hot and cold months: archiving a cold month of transfers and entries to compressed files with an
 * index retained in the database, and restoring it (REST and CLI).
 */
@NullMarked
package io.tpwallet.ledger.archive;

import org.jspecify.annotations.NullMarked;
