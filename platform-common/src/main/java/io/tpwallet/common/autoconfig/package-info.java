@NullMarked
package io.tpwallet.common.autoconfig;

import org.jspecify.annotations.NullMarked;
