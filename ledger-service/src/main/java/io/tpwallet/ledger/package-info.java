@NullMarked
package io.tpwallet.ledger;

import org.jspecify.annotations.NullMarked;
