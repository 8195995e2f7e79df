@NullMarked
package io.tpwallet.common.db;

import org.jspecify.annotations.NullMarked;
