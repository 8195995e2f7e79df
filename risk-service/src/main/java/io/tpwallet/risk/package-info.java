@NullMarked
package io.tpwallet.risk;

import org.jspecify.annotations.NullMarked;
