@NullMarked
package io.tpwallet.signing;

import org.jspecify.annotations.NullMarked;
