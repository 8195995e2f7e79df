@NullMarked
package io.tpwallet.routing;

import org.jspecify.annotations.NullMarked;
