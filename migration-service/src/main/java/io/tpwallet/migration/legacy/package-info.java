/**
 * The legacy wallet the platform migrates from: its schema, a bounded seeded generator with
 * injected anomalies, and a live-traffic writer. Plain JDBC, so that tests and the CLI can use it
 * without a Spring context.
 */
@NullMarked
package io.tpwallet.migration.legacy;

import org.jspecify.annotations.NullMarked;
