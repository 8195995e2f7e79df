@NullMarked
package io.tpwallet.common.idempotency;

import org.jspecify.annotations.NullMarked;
