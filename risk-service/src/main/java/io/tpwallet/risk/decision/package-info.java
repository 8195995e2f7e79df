@NullMarked
package io.tpwallet.risk.decision;

import org.jspecify.annotations.NullMarked;
