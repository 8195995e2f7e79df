@NullMarked
package io.tpwallet.migration;

import org.jspecify.annotations.NullMarked;
