@NullMarked
package io.tpwallet.common.problem;

import org.jspecify.annotations.NullMarked;
