/** Threads the services start for their own background work. */
@NullMarked
package io.tpwallet.common.thread;

import org.jspecify.annotations.NullMarked;
