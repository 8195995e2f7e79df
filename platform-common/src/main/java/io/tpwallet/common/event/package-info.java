@NullMarked
package io.tpwallet.common.event;

import org.jspecify.annotations.NullMarked;
