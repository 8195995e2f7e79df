@NullMarked
package io.tpwallet.routing.payment;

import org.jspecify.annotations.NullMarked;
