@NullMarked
package io.tpwallet.common.id;

import org.jspecify.annotations.NullMarked;
