/** RFC 9457 problem details for the errors the gateway itself produces. */
@NullMarked
package io.tpwallet.gateway.problem;

import org.jspecify.annotations.NullMarked;
