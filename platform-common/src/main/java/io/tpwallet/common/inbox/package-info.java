@NullMarked
package io.tpwallet.common.inbox;

import org.jspecify.annotations.NullMarked;
