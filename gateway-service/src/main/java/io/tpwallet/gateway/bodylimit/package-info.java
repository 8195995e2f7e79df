/** Request body limit: bodies above the limit are refused before any backend sees them. */
@NullMarked
package io.tpwallet.gateway.bodylimit;

import org.jspecify.annotations.NullMarked;
