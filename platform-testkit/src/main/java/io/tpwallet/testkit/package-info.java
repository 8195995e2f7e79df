/** Real PostgreSQL and Kafka for integration tests, on a machine with or without Docker. */
@NullMarked
package io.tpwallet.testkit;

import org.jspecify.annotations.NullMarked;
