@NullMarked
package io.tpwallet.common.money;

import org.jspecify.annotations.NullMarked;
