/** Benchmarks that print figures: FROST compute time per step (docs/benchmarks.md). */
@NullMarked
package io.tpwallet.signing.bench;

import org.jspecify.annotations.NullMarked;
