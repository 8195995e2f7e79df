@NullMarked
package io.tpwallet.ledger.account;

import org.jspecify.annotations.NullMarked;
