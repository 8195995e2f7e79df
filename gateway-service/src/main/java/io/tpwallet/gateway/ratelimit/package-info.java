/** Rate limits per principal and per client IP (Redis, with a local fallback). */
@NullMarked
package io.tpwallet.gateway.ratelimit;

import org.jspecify.annotations.NullMarked;
