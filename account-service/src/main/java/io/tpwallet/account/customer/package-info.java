/** Account holders: individual customers, merchants, enterprises and their sub-accounts. */
@NullMarked
package io.tpwallet.account.customer;

import org.jspecify.annotations.NullMarked;
