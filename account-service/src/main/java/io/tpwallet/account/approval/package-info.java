/** Enterprise approval policies: M-of-N approvers, signed outcomes for signer nodes. */
@NullMarked
package io.tpwallet.account.approval;

import org.jspecify.annotations.NullMarked;
