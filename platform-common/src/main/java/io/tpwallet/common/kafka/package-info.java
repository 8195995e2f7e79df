@NullMarked
package io.tpwallet.common.kafka;

import org.jspecify.annotations.NullMarked;
