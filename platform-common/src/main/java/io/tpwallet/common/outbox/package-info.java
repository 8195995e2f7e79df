@NullMarked
package io.tpwallet.common.outbox;

import org.jspecify.annotations.NullMarked;
