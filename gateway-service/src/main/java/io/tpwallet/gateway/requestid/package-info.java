/** Request id: accepted or made at the edge, passed downstream, echoed and logged. */
@NullMarked
package io.tpwallet.gateway.requestid;

import org.jspecify.annotations.NullMarked;
