@NullMarked
package io.tpwallet.account;

import org.jspecify.annotations.NullMarked;
