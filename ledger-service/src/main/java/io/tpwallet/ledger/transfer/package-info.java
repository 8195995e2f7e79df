@NullMarked
package io.tpwallet.ledger.transfer;

import org.jspecify.annotations.NullMarked;
