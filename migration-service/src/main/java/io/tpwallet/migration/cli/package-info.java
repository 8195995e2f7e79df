/**
 * {@code ./tpw migrate ...}: a picocli client of the runner's REST API, run from the service's jar
 * without a Spring context (JDK HttpClient).
 */
@NullMarked
package io.tpwallet.migration.cli;

import org.jspecify.annotations.NullMarked;
