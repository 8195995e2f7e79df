/** JDBC plumbing the features share: statements sent to PostgreSQL in one round trip. */
@NullMarked
package io.tpwallet.ledger.jdbc;

import org.jspecify.annotations.NullMarked;
